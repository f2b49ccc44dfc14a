using Microsoft.Extensions.DependencyInjection;
using Monitor.Web.Reports;
using Monitor.Web.Tests.Support;

namespace Monitor.Web.Tests.Reports;

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
