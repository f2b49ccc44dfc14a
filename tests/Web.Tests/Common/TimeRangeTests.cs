using Monitor.Web.Common;

namespace Monitor.Web.Tests.Common;

public sealed class TimeRangeTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("2026-11-23T10:00:00Z")]
    [InlineData("2026-11-23T11:00:00+01:00")]
    [InlineData("2026-11-23T10:00:00")]
    [InlineData("1795428000")]
    public void Instants_are_read_from_iso_8601_or_unix_seconds(string text)
    {
        Assert.True(TimeRange.TryParseInstant(text, "at", out var at, out _));
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero), at);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("99999999999999")]
    public void Unreadable_times_get_a_message_naming_the_parameter(string text)
    {
        Assert.False(TimeRange.TryParseInstant(text, "from", out _, out var error));
        Assert.StartsWith("'from'", error);
    }

    [Fact]
    public void From_after_to_is_refused()
    {
        Assert.False(TimeRange.TryParse("2026-11-23T11:00:00Z", "2026-11-23T10:00:00Z", Now, Periods.Day, Periods.MaxRange, out _, out var error));
        Assert.Contains("after", error);
    }

    [Fact]
    public void Missing_bounds_default_to_a_range_ending_now()
    {
        Assert.True(TimeRange.TryParse(null, null, Now, Periods.Day, Periods.MaxRange, out var range, out _));
        Assert.Equal(new TimeRange(Now - TimeSpan.FromHours(33), Now), range);
    }

    [Theory]
    [InlineData(1_250_000, "bits/s", "1.25 Mbit/s")]
    [InlineData(999, "bits/s", "999 bit/s")]
    [InlineData(3_400, "packets/s", "3.4 k packets/s")]
    [InlineData(2_000_000_000, "bits/s", "2 Gbit/s")]
    public void Values_read_at_a_glance_with_si_prefixes(double value, string unit, string expected) =>
        Assert.Equal(expected, Units.Format(value, unit));
}
