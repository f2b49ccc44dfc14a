using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Monitor.Probe.Capture;
using Monitor.Probe.Hosting;
using Monitor.Probe.Tests.EndToEnd;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Probe.Tests.Hosting;

public sealed class ProbeHostingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("probe-host-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private sealed class CountingTap : IPacketTap
    {
        public long Packets;

        public bool Offer(in RawPacket packet)
        {
            Packets++;
            return true;
        }
    }

    private static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddProbe(builder.Configuration);
        return builder.Build();
    }

    [Fact]
    public async Task A_host_runs_the_probe_and_the_live_feed_sees_every_second_interval_and_packet()
    {
        var capture = SyntheticCapture.Write(Path.Combine(_folder, "h.pcap"), 3, 5000,
            new DateTimeOffset(2024, 2, 2, 10, 0, 5, TimeSpan.Zero), TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(30));
        using var host = BuildHost(new()
        {
            ["Probe:Read:0"] = capture.Path,
            ["Probe:Store"] = "none",
            ["Probe:Name"] = "hosted",
            ["Probe:Workers"] = "2",
        });
        var feed = host.Services.GetRequiredService<ProbeLiveFeed>();
        var intervals = new List<IntervalSnapshot>();
        var seconds = 0;
        feed.IntervalClosed += intervals.Add;
        feed.SecondClosed += _ => seconds++;
        var tap = new CountingTap();
        using var attached = feed.AttachTap(tap);

        await host.StartAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (feed.Status.State is ProbeState.NotStarted or ProbeState.Running && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        await host.StopAsync();

        Assert.Equal(ProbeState.Stopped, feed.Status.State);
        Assert.Equal(5000, feed.Status.Packets);
        Assert.Equal(2, intervals.Count);
        Assert.Equal(capture.Packets, intervals.Sum(i => i.Packets));
        Assert.Equal(intervals[^1], feed.LastInterval);
        Assert.Equal(40, seconds);
        Assert.Equal(seconds, feed.RecentSeconds.Count);
        Assert.Equal(5000, feed.RecentSeconds.Sum(s => s.Metrics["packets"]));
        Assert.Equal(intervals.Sum(i => i.Seconds.Count), seconds);
        Assert.Equal(5000, tap.Packets);
        Assert.NotNull(feed.Status.LastMergeTime);
    }

    [Theory]
    [InlineData("1", "1")]
    [InlineData("1", "2")]
    [InlineData("3", "1")]
    public async Task New_flows_per_second_add_up_to_the_new_flows_of_their_interval(string workers, string tableGroups)
    {
        var capture = SyntheticCapture.Write(Path.Combine(_folder, "f.pcap"), 5, 8000,
            new DateTimeOffset(2024, 2, 2, 10, 0, 5, TimeSpan.Zero), TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(30));
        using var host = BuildHost(new()
        {
            ["Probe:Read:0"] = capture.Path,
            ["Probe:Store"] = "none",
            ["Probe:Workers"] = workers,
            ["Probe:TableGroups"] = tableGroups,
        });
        var feed = host.Services.GetRequiredService<ProbeLiveFeed>();
        var intervals = new List<IntervalSnapshot>();
        feed.IntervalClosed += intervals.Add;

        await host.StartAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (feed.Status.State is ProbeState.NotStarted or ProbeState.Running && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        await host.StopAsync();

        Assert.Equal(2, intervals.Count);
        foreach (var interval in intervals)
        {
            var perSecond = interval.Seconds.Sum(s => s.Metrics["new_flows"]);
            Assert.True(perSecond > 0);
            Assert.Equal(interval.Metrics["new_flows"] * (interval.End - interval.Start).TotalSeconds, perSecond, precision: 6);
        }
    }

    [Fact]
    public async Task A_host_with_a_bad_probe_section_fails_at_start_naming_the_setting()
    {
        using var host = BuildHost(new() { ["Probe:Interface"] = "lo", ["Probe:Top"] = "0", ["Probe:Store"] = "none" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Probe:Top", error.Message);
    }
}
