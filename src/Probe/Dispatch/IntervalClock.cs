namespace Monitor.Probe.Dispatch;

/// <summary>
/// Seconds and intervals aligned to multiples of their length in UTC packet time (Unix epoch based).
/// Used only on the capture thread. A jump over a long gap (merged captures, a clock step) skips the
/// empty seconds instead of emitting every one of them.
/// </summary>
internal sealed class IntervalClock(TimeSpan interval)
{
    /// <summary>Gaps up to this long get their empty seconds closed one by one (live graphs stay continuous).</summary>
    private const long MaxStepped = 120 * TimeSpan.TicksPerSecond;

    private readonly long _intervalTicks = interval.Ticks;

    public bool Started { get; private set; }
    public long SecondStartTicks { get; private set; }
    public long SecondEndTicks { get; private set; } = long.MinValue;
    public long IntervalStartTicks { get; private set; }
    public long IntervalEndTicks { get; private set; }

    public void Start(long ticks)
    {
        Started = true;
        MoveTo(Floor(ticks, TimeSpan.TicksPerSecond));
    }

    /// <summary>The start of the second after the current one, or of the second holding ticks after a long gap.</summary>
    public long NextSecondStart(long ticks) =>
        ticks - SecondEndTicks > MaxStepped ? Floor(ticks, TimeSpan.TicksPerSecond) : SecondEndTicks;

    public void MoveTo(long secondStart)
    {
        SecondStartTicks = secondStart;
        SecondEndTicks = secondStart + TimeSpan.TicksPerSecond;
        if (secondStart >= IntervalEndTicks || secondStart < IntervalStartTicks)
        {
            IntervalStartTicks = Floor(secondStart, _intervalTicks);
            IntervalEndTicks = IntervalStartTicks + _intervalTicks;
        }
    }

    private static long Floor(long ticks, long unit)
    {
        var sinceEpoch = ticks - DateTime.UnixEpoch.Ticks;
        var floored = sinceEpoch - ((sinceEpoch % unit) + unit) % unit;
        return DateTime.UnixEpoch.Ticks + floored;
    }
}
