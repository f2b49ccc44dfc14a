using Microsoft.Extensions.DependencyInjection;
using Monitor.Web.Features.Hosts;
using Monitor.Web.Features.Reports;
using Monitor.Web.Tests.Support;

namespace Monitor.Web.Tests.Features.Hosts;

public sealed class HostServiceTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 10, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(60);
    private readonly MonitorSite _site = new();

    public void Dispose() => _site.Dispose();

    [Fact]
    public async Task A_host_range_longer_than_one_store_read_has_every_interval_to_the_newest_summed_over_probes()
    {
        // Two probes over 1,500 starts (west one start earlier): 3,001 intervals, more than one store read, and
        // the first read ends between the two probes of a start.
        var end = Start + Step * 1500;
        await History.WriteAsync(_site.Store, Start, end, Step, probe: "east");
        await History.WriteAsync(_site.Store, Start - Step, end, Step, probe: "west");
        var hosts = _site.Services.GetRequiredService<HostService>();
        var to = TimeRangeText(end);

        var both = await hosts.GetAsync(History.TopTalker, TimeRangeText(Start - Step), to, null);
        var east = await hosts.GetAsync(History.TopTalker, TimeRangeText(Start), to, "east");

        Assert.Equal(1501, both.Traffic.Count);
        Assert.Equal(end - Step, both.Traffic[^1].Time);
        Assert.Equal(east.Traffic.Select(p => (p.Time, p.BitsSent * 2, p.BitsReceived * 2)),
            both.Traffic.Skip(1).Select(p => (p.Time, p.BitsSent, p.BitsReceived)));
        Assert.All(both.Traffic, p => Assert.True(p.BitsSent > 0));
    }

    private static string TimeRangeText(DateTimeOffset time) => time.ToString("O");
}

public sealed class HostDefaultWindowTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(5);
    private readonly MonitorSite _site = new();

    public void Dispose() => _site.Dispose();

    [Fact]
    public async Task Without_a_range_the_host_page_shows_the_six_hours_ending_at_the_newest_stored_data()
    {
        // Two days of data from 2024, far from the wall clock: the last 6 h of "now" would hold nothing.
        await History.WriteAsync(_site.Store, Start, Start.AddDays(2), Step);
        var hosts = _site.Services.GetRequiredService<HostService>();

        var view = await hosts.GetAsync(History.TopTalker, null, null, null);

        Assert.Equal(Start.AddDays(2), view.Range.To);
        Assert.Equal(HostService.DefaultLength, view.Range.Length);
        Assert.Equal(72, view.Traffic.Count);
        Assert.Contains("talkers", view.Reports.Keys);
    }

    [Fact]
    public async Task Without_a_range_the_host_page_shows_the_hour_where_that_host_was_last_seen()
    {
        // The scanner is only in the first day's intervals; the store goes on for two more days without it.
        var end = Start.AddDays(3);
        var intervals = new List<Monitor.Storage.Model.Snapshots.IntervalSnapshot>();
        for (var t = Start; t < end; t += Step)
        {
            var interval = History.Interval(t, Step);
            intervals.Add(t < Start.AddDays(1).AddMinutes(-40) ? interval : interval with
            {
                Reports = interval.Reports.Where(r => r.Key != "syn").ToDictionary(r => r.Key, r => r.Value),
            });
        }
        foreach (var batch in intervals.Chunk(500)) await _site.Store.WriteIntervalsAsync(batch);
        var hosts = _site.Services.GetRequiredService<HostService>();

        var view = await hosts.GetAsync(History.Scanner, null, null, null);

        var lastSeen = Start.AddDays(1).AddMinutes(-45);
        Assert.True(view.Range.From <= lastSeen && lastSeen < view.Range.To, $"window {view.Range.From:O}–{view.Range.To:O}");
        Assert.True(view.Range.To - lastSeen <= TimeSpan.FromHours(1), $"window ends {view.Range.To - lastSeen} after the last row");
        Assert.Contains("syn", view.Reports.Keys);
    }
}
