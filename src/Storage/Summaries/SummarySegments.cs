namespace Monitor.Storage.Summaries;

/// <summary>How a top-N over a range is read: from whole-day and whole-hour summaries where they exist, raw intervals elsewhere.</summary>
public static class SummarySegments
{
    public const long HourMs = 3_600_000;
    public const long DayMs = 86_400_000;

    /// <summary>
    /// Splits [from, to) into whole summarized days, whole summarized hours and raw stretches (Period 0).
    /// Hours before summarizedUntil are summarized (an hour with no data has no summary and adds nothing).
    /// </summary>
    public static IEnumerable<(long Period, long Start, long End)> Split(long from, long to, long summarizedUntil)
    {
        var t = from;
        long? rawStart = null;
        while (t < to)
        {
            long period = 0, length = 0;
            if (t % DayMs == 0 && t + DayMs <= to && t + DayMs <= summarizedUntil) (period, length) = (86400, DayMs);
            else if (t % HourMs == 0 && t + HourMs <= to && t + HourMs <= summarizedUntil) (period, length) = (3600, HourMs);
            if (period == 0)
            {
                rawStart ??= t;
                t = Math.Min(to, (Floor(t, HourMs) + HourMs));
                continue;
            }
            if (rawStart is not null) { yield return (0, rawStart.Value, t); rawStart = null; }
            yield return (period, t, t + length);
            t += length;
        }
        if (rawStart is not null) yield return (0, rawStart.Value, to);
    }

    public static long Floor(long value, long step) => (long)Math.Floor(value / (double)step) * step;
}
