using Monitor.Probe.Dispatch;

namespace Monitor.Probe.Tests.Dispatch;

public sealed class IntervalClockTests
{
    private static long Ticks(string utc) => DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture).UtcTicks;

    [Fact]
    public void Intervals_are_aligned_to_multiples_of_their_length_in_utc()
    {
        var clock = new IntervalClock(TimeSpan.FromSeconds(30));
        clock.Start(Ticks("2008-03-08T03:30:47.250Z"));

        Assert.Equal(Ticks("2008-03-08T03:30:47Z"), clock.SecondStartTicks);
        Assert.Equal(Ticks("2008-03-08T03:30:30Z"), clock.IntervalStartTicks);
        Assert.Equal(Ticks("2008-03-08T03:31:00Z"), clock.IntervalEndTicks);
    }

    [Fact]
    public void Short_gaps_step_second_by_second_so_idle_seconds_close()
    {
        var clock = new IntervalClock(TimeSpan.FromSeconds(30));
        clock.Start(Ticks("2024-01-01T00:00:10Z"));

        Assert.Equal(Ticks("2024-01-01T00:00:11Z"), clock.NextSecondStart(Ticks("2024-01-01T00:00:40Z")));
    }

    [Fact]
    public void A_long_gap_jumps_to_the_interval_of_the_next_packet()
    {
        var clock = new IntervalClock(TimeSpan.FromSeconds(30));
        clock.Start(Ticks("2024-01-01T00:00:10Z"));

        var next = clock.NextSecondStart(Ticks("2024-01-02T05:07:08.5Z"));
        clock.MoveTo(next);

        Assert.Equal(Ticks("2024-01-02T05:07:08Z"), next);
        Assert.Equal(Ticks("2024-01-02T05:07:00Z"), clock.IntervalStartTicks);
    }
}
