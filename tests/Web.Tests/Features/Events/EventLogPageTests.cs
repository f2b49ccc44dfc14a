using System.Net;
using Monitor.Storage.Model.Reports;
using Monitor.Storage.Model.Snapshots;
using Monitor.Web.Tests.Support;

namespace Monitor.Web.Tests.Features.Events;

/// <summary>The day's event log and the botnet reports as the server renders them over a real SQLite store.</summary>
public sealed class EventLogPageTests : IClassFixture<EventLogPageTests.StoredSite>
{
    public static readonly DateTimeOffset Day = new(2024, 5, 2, 0, 0, 0, TimeSpan.Zero);

    public sealed class StoredSite : IAsyncLifetime
    {
        public MonitorSite Site { get; } = new();

        public async Task InitializeAsync()
        {
            MonitorEvent Event(string kind, string probe, int hour, string message, string? host = null) => new()
            {
                Id = $"{probe}/{kind}/{hour}", Probe = probe, Time = Day.AddHours(hour), Kind = kind, Message = message,
                Details = host is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["host"] = host },
            };
            await Site.Store.WriteEventsAsync(
            [
                Event(EventKinds.ProbeStart, "edge", 1, "probe edge started"),
                Event(EventKinds.CaptureLoss, "edge", 2, "lost 40 packets in the capture buffer"),
                Event(EventKinds.Spike, "branch", 3, "syn spike", "10.1.0.1"),
                Event(EventKinds.ProbeError, "edge", 4, "probe edge failed: disk full"),
                Event(EventKinds.ProbeStart, "edge", 30, "the next day's start"),
            ]);
            await Site.Store.WriteIntervalAsync(new IntervalSnapshot
            {
                Probe = "edge", Start = Day.AddHours(5), End = Day.AddHours(5).AddSeconds(30), Packets = 10, Bytes = 1000,
                Reports = new Dictionary<string, IReadOnlyList<ReportRow>>
                {
                    [ReportCatalog.Blacklist] = [new(
                    [
                        new("src", "10.6.0.1"), new("dst", "203.0.113.7"), new("proto", "udp"), new("sport", 40000L), new("dport", 123L),
                        new("packets", 3L), new("bytes", 180L), new("listed", "dst"),
                        new("first_seen", "2024-05-02T05:00:10.000000Z"), new("last_seen", "2024-05-02T05:00:20.000000Z"),
                    ])],
                    [ReportCatalog.IrcChannels] = [new(
                    [
                        new("channel", "#bots"), new("hosts", 2L), new("scanners", 1L), new("max_work_weight", 95.0), new("joins", 2L),
                        new("privmsgs", 1L), new("servers", "203.0.113.66:8585"), new("members", "10.1.0.1 10.1.0.2"), new("evil", true),
                    ])],
                },
            });
        }

        public Task DisposeAsync()
        {
            Site.Dispose();
            return Task.CompletedTask;
        }
    }

    private readonly MonitorSite _site;

    public EventLogPageTests(StoredSite stored) => _site = stored.Site;

    private async Task<string> PageAsync(string url)
    {
        using var client = _site.CreateClient();
        var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {body}");
        return WebUtility.HtmlDecode(body);
    }

    [Fact]
    public async Task The_day_lists_every_kind_of_event_and_the_blacklist_hits_in_time_order()
    {
        var html = await PageAsync("/events?day=2024-05-02");

        Assert.Contains("data-events=\"5\"", html);
        var order = new[] { "probe edge started", "lost 40 packets", "syn spike", "probe edge failed", "blacklisted 203.0.113.7" }
            .Select(text => html.IndexOf(text, StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(-1, order);
        Assert.Equal(order.Order(), order);
        Assert.DoesNotContain("the next day's start", html);
        Assert.Contains("hosts/10.1.0.1", html);
    }

    [Fact]
    public async Task Kind_and_probe_filters_narrow_the_day()
    {
        var losses = await PageAsync("/events?day=2024-05-02&kind=capture_loss");
        Assert.Contains("data-events=\"1\"", losses);
        Assert.Contains("lost 40 packets", losses);

        var branch = await PageAsync("/events?day=2024-05-02&probe=branch&kind=spike");
        Assert.Contains("data-events=\"1\"", branch);
        Assert.Contains("syn spike", branch);

        var hits = await PageAsync("/events?day=2024-05-02&kind=blacklist");
        Assert.Contains("data-events=\"1\"", hits);
    }

    [Fact]
    public async Task A_bad_day_or_kind_is_a_clear_error()
    {
        Assert.Contains("is not a day", await PageAsync("/events?day=yesterday"));
        Assert.Contains("unknown event kind 'nope'", await PageAsync("/events?day=2024-05-02&kind=nope"));
    }

    [Fact]
    public async Task An_evil_channel_links_each_member_to_its_host_page()
    {
        var html = await PageAsync("/reports/irc_channels?at=2024-05-02T05%3A00%3A10Z");

        Assert.Contains("#bots", html);
        Assert.Contains(">evil<", html);
        Assert.Contains("hosts/10.1.0.1?", html);
        Assert.Contains("hosts/10.1.0.2?", html);
    }
}
