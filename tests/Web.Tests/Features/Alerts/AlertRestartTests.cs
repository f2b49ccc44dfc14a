using Monitor.Storage;
using Monitor.Storage.Model.Reports;
using Monitor.Storage.Model.Snapshots;
using Monitor.TestKit.Filesystems;
using static Monitor.Web.Tests.Features.Alerts.AlertTestKit;

namespace Monitor.Web.Tests.Features.Alerts;

/// <summary>Alert state across a restart of the site: a real SQLite store, a real SMTP server, the alert services as the site runs them.</summary>
public sealed class AlertRestartTests
{
    private static IntervalSnapshot Flood(DateTimeOffset start, long weightFactor) =>
        Interval("edge-1", start, reports: new Dictionary<string, IReadOnlyList<ReportRow>>
        {
            [ReportCatalog.Udp] = [UdpRow("192.0.2.66", sent: 40_000, received: 0, icmpErrors: weightFactor, ports: 900)],
        });

    [Fact]
    public async Task An_alert_active_when_the_site_stops_is_resolved_once_after_it_starts_again_and_not_fired_twice()
    {
        using var dir = new TempDirectory();
        using var smtp = new SmtpServer(dir.Path);
        await smtp.StartAsync();
        var start = DateTimeOffset.UtcNow.AddMinutes(-10);

        await using (var before = await AlertSite.StartAsync(dir.Path, smtp.Port, capture: null))
        {
            await using var store = StoreFactory.Open(before.StoreSpec);
            await store.WriteIntervalAsync(Flood(start, weightFactor: 1_000));
            var fired = await smtp.WaitForMessagesAsync(1, TimeSpan.FromSeconds(20));
            Assert.Equal("[Monitor CRITICAL] udp_weight: 192.0.2.66", Assert.Single(fired).Subject);
        }
        Assert.True(File.Exists(dir.File("alert-state.json")), "the state is kept next to the outbox");

        // While the site is down the flood goes on for one interval, then stops.
        await using (var store = StoreFactory.Open("sqlite:" + dir.File("monitor.db")))
        {
            await store.WriteIntervalAsync(Flood(start.AddSeconds(30), weightFactor: 1_000));
            await store.WriteIntervalAsync(Flood(start.AddSeconds(60), weightFactor: 0));
        }

        await using (await AlertSite.StartAsync(dir.Path, smtp.Port, capture: null))
        {
            var messages = await smtp.WaitForMessagesAsync(2, TimeSpan.FromSeconds(20));
            Assert.Equal(["[Monitor CRITICAL] udp_weight: 192.0.2.66", "[Monitor RESOLVED] udp_weight on edge-1"], messages.Select(m => m.Subject));
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Equal(2, smtp.Messages().Count);
        }
    }

    [Fact]
    public async Task A_site_started_without_saved_state_evaluates_the_intervals_stored_before_it_once_whenever_it_starts()
    {
        using var dir = new TempDirectory();
        using var smtp = new SmtpServer(dir.Path);
        await smtp.StartAsync();
        // Whole seconds, as a probe's intervals are (the store keeps a probe's latest interval start in milliseconds).
        var start = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds());
        await using var store = StoreFactory.Open("sqlite:" + dir.File("monitor.db"));
        await store.WriteIntervalAsync(Flood(start, weightFactor: 1_000));
        await store.WriteIntervalAsync(Flood(start.AddSeconds(30), weightFactor: 0));
        // The same host again within its cool-down: evaluated, not mailed.
        await store.WriteIntervalAsync(Flood(start.AddSeconds(60), weightFactor: 1_000));

        await using (await AlertSite.StartAsync(dir.Path, smtp.Port, capture: null))
        {
            var messages = await smtp.WaitForMessagesAsync(2, TimeSpan.FromSeconds(20));
            Assert.Equal(["[Monitor CRITICAL] udp_weight: 192.0.2.66", "[Monitor RESOLVED] udp_weight on edge-1"], messages.Select(m => m.Subject));
            Assert.Contains($"interval {Monitor.Web.Features.Alerts.AlertOutbox.Format(start)}", messages[0].TextBody);
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            Assert.Equal(2, smtp.Messages().Count);
        }
        // Started again with its saved state: nothing is evaluated twice.
        await using (await AlertSite.StartAsync(dir.Path, smtp.Port, capture: null))
        {
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            Assert.Equal(2, smtp.Messages().Count);
        }
    }

    [Fact]
    public async Task A_damaged_state_file_is_logged_and_alerting_starts_afresh()
    {
        using var dir = new TempDirectory();
        using var smtp = new SmtpServer(dir.Path);
        await smtp.StartAsync();
        await File.WriteAllTextAsync(dir.File("alert-state.json"), "{ not json");

        await using var site = await AlertSite.StartAsync(dir.Path, smtp.Port, capture: null);
        await using var store = StoreFactory.Open(site.StoreSpec);
        await store.WriteIntervalAsync(Flood(DateTimeOffset.UtcNow.AddMinutes(-1), weightFactor: 1_000));

        var fired = await smtp.WaitForMessagesAsync(1, TimeSpan.FromSeconds(20));
        Assert.Equal("[Monitor CRITICAL] udp_weight: 192.0.2.66", Assert.Single(fired).Subject);
    }
}
