using Monitor.Web.Features.Anomalies.Detection;
using Monitor.Storage.Model.Metrics;

namespace Monitor.Web.Tests.Features.Anomalies.Detection;

public class SpikeRuleTests
{
    private static readonly DateTimeOffset Origin = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

    private static List<SpikeWindow> Run(Func<int, double> value, int count)
    {
        var options = new AnomalyOptions();
        var scorer = new ShortTermScorer(options, MetricCatalog.Packets);
        var tracker = new FailuresTracker(options);
        var random = new Random(7);
        var windows = new List<SpikeWindow>();
        for (var i = 0; i < count; i++)
        {
            var t = Origin.AddSeconds(30 * i);
            Assert.True(scorer.TryAdd(new SeriesPoint(t, t.AddSeconds(30), value(i) * (1 + 0.03 * (random.NextDouble() - 0.5))), out var scored));
            if (tracker.Add(scored) is { Open: false } closed) windows.Add(closed);
        }
        return windows;
    }

    [Fact]
    public void One_noisy_point_far_above_the_hour_before_is_not_a_spike() =>
        Assert.Empty(Run(i => i == 200 ? 50_000 : 1000, 300));

    [Fact]
    public void Three_failing_points_within_five_make_one_spike_from_the_first_to_the_last()
    {
        var windows = Run(i => i is 200 or 202 or 204 ? 50_000 : 1000, 300);
        var spike = Assert.Single(windows);
        Assert.Equal(Origin.AddSeconds(30 * 200), spike.Start);
        Assert.Equal(Origin.AddSeconds(30 * 205), spike.End);
        Assert.InRange(spike.Baseline, 990, 1010);
        Assert.InRange(spike.Peak, 49_000, 51_000);
    }

    [Fact]
    public void Points_in_the_first_hour_are_not_scored_because_their_window_is_not_yet_covered()
    {
        var options = new AnomalyOptions();
        var scored = ShortTermScorer.ScoreAll(options, MetricCatalog.Packets,
            Enumerable.Range(0, 200).Select(i => new SeriesPoint(Origin.AddSeconds(30 * i), Origin.AddSeconds(30 * i + 30), 5)));
        Assert.All(scored.Take(120), p => Assert.False(p.Scored));
        Assert.All(scored.Skip(120), p => Assert.True(p.Scored));
    }

    [Fact]
    public void A_points_replay_or_out_of_order_point_is_refused()
    {
        var scorer = new ShortTermScorer(new AnomalyOptions(), MetricCatalog.Packets);
        Assert.True(scorer.TryAdd(new SeriesPoint(Origin, Origin.AddSeconds(30), 1), out _));
        Assert.False(scorer.TryAdd(new SeriesPoint(Origin, Origin.AddSeconds(30), 1), out _));
        Assert.False(scorer.TryAdd(new SeriesPoint(Origin.AddSeconds(-30), Origin, 1), out _));
    }

    [Theory]
    [InlineData("FailuresK", "FailuresK must be between 1 and FailuresW")]
    [InlineData("SeasonDays", "SeasonDays must be between 1 and 14")]
    [InlineData("Series", "Series names unknown metric 'nope'")]
    public void Bad_options_name_the_setting(string setting, string message)
    {
        var options = new AnomalyOptions();
        switch (setting)
        {
            case "FailuresK": options.FailuresK = 9; break;
            case "SeasonDays": options.SeasonDays = 30; break;
            default: options.Series = ["nope"]; break;
        }
        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal($"Anomalies: {message}", error.Message);
    }

    [Fact]
    public void A_spike_survives_the_round_trip_through_its_event()
    {
        var spike = new Spike("p1", MetricCatalog.Bits, Origin, Origin.AddMinutes(5), Origin.AddMinutes(2), 2e7, 2e6, 90,
            SpikeKind.Recurring, new SeasonalEvidence(7, 6, 1.9e7, 1e6), Open: false);
        var e = spike.ToEvent();
        Assert.Equal("spike:p1:bits:20260105T000000Z", e.Id);
        Assert.Equal("repeats daily, 6 of the last 7 days", e.Details["reason"]);
        var back = Spike.FromEvent(e)!;
        Assert.Equal(spike with { Season = back.Season }, back);
        Assert.Equal(6, back.Season.DaysSeen);
        Assert.Equal(1, back.SeasonalScore!.Value, 3);
    }
}
