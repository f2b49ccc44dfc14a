using Monitor.Storage;
using Monitor.TestKit.Filesystems;
using Monitor.Web.Features.Anomalies.Detection;
using static Monitor.Web.Tests.Features.Alerts.AlertTestKit;

namespace Monitor.Web.Tests.Features.Alerts;

/// <summary>Anomaly rules against spike events as the detector writes them: a real SQLite store, a real SMTP server.</summary>
public sealed class SpikeAlertTests
{
    private static readonly (string, string)[] AnomalyRule =
    [
        ("Alerts:Rules:0:Type", "anomaly"),
        ("Alerts:Rules:0:Name", "new-spike"),
        ("Alerts:Rules:0:Series", "packets"),
    ];

    private static Spike PacketSpike(DateTimeOffset start, DateTimeOffset end, bool open) => new(
        "edge-1", "packets", start, end, start, Peak: 90_000, Baseline: 1_000, Score: 12, SpikeKind.New, SeasonalEvidence.None, open);

    [Fact]
    public async Task A_spike_rewritten_open_with_a_later_end_keeps_its_alert_active_and_resolves_once_after_it_closed()
    {
        using var dir = new TempDirectory();
        using var smtp = new SmtpServer(dir.Path);
        await smtp.StartAsync();
        await using var site = await AlertSite.StartAsync(dir.Path, smtp.Port, capture: null, AnomalyRule);
        await using var store = StoreFactory.Open(site.StoreSpec);
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-10);
        t0 = new DateTimeOffset(t0.Ticks - t0.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

        // The detector writes the spike as it opens, before the next interval is evaluated.
        await store.WriteEventsAsync([PacketSpike(t0, t0.AddSeconds(30), open: true).ToEvent()]);
        await store.WriteIntervalAsync(Interval("edge-1", t0));
        var fired = await smtp.WaitForMessagesAsync(1, TimeSpan.FromSeconds(20));
        Assert.Equal("[Monitor WARNING] new-spike: packets", Assert.Single(fired).Subject);

        // It grows (same Id, later End) and is still open after its End: no resolution yet.
        await store.WriteEventsAsync([PacketSpike(t0, t0.AddSeconds(90), open: true).ToEvent()]);
        await store.WriteIntervalAsync(Interval("edge-1", t0.AddSeconds(30)));
        await store.WriteIntervalAsync(Interval("edge-1", t0.AddSeconds(60)));
        await store.WriteIntervalAsync(Interval("edge-1", t0.AddSeconds(90)));
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Single(smtp.Messages());

        // It closes: the next interval resolves the alert, once.
        await store.WriteEventsAsync([PacketSpike(t0, t0.AddSeconds(90), open: false).ToEvent()]);
        await store.WriteIntervalAsync(Interval("edge-1", t0.AddSeconds(120)));
        var messages = await smtp.WaitForMessagesAsync(2, TimeSpan.FromSeconds(20));
        Assert.Equal(["[Monitor WARNING] new-spike: packets", "[Monitor RESOLVED] new-spike on edge-1"], messages.Select(m => m.Subject));
        Assert.Contains($"until {Monitor.Web.Features.Alerts.AlertOutbox.Format(t0.AddSeconds(120))}", messages[1].TextBody);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(2, smtp.Messages().Count);
    }
}
