using Monitor.TestKit.Filesystems;
using Monitor.Web.Features.Alerts;
using Monitor.Web.Tests.Support;

namespace Monitor.Web.Tests.Features.Alerts;

/// <summary>Alerting inside the real site (Program, as `dotnet run --project src/Web` starts it).</summary>
public sealed class SiteAlertTests
{
    [Fact]
    public async Task The_site_with_one_rule_and_one_smtp_host_mails_the_udp_scan_and_lists_it_on_the_alerts_page()
    {
        using var dir = new TempDirectory();
        using var smtp = new SmtpServer(dir.Path);
        await smtp.StartAsync();
        var capture = UdpScanCapture.Write(dir.File("udp-scan.pcap"));
        using var site = new MonitorSite(settings: new Dictionary<string, string?>
        {
            ["Probe:Enabled"] = "true",
            ["Probe:Read:0"] = capture,
            ["Probe:Interval"] = "10",
            ["Probe:Workers"] = "1",
            ["Alerts:PollSeconds"] = "0.2",
            ["Alerts:Smtp:Host"] = "127.0.0.1",
            ["Alerts:Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Alerts:Rules:0:Type"] = "udp_weight",
            ["Alerts:Rules:0:To:0"] = "soc@example.org",
        });
        var client = site.CreateClient();

        var messages = await smtp.WaitForMessagesAsync(2, TimeSpan.FromSeconds(30));
        Assert.Equal(["[Monitor CRITICAL] udp_weight: 192.0.2.7", "[Monitor RESOLVED] udp_weight on test-probe"], messages.Select(m => m.Subject));
        Assert.True(File.Exists(Path.Combine(site.DataDirectory, "outbox.db")), "the outbox lives next to the store's file");

        var page = await client.GetStringAsync("/alerts");
        Assert.Contains("any row of report udp with weight &gt; 10,000,000", page);
        Assert.Contains("192.0.2.7 weight 16,000,000 (threshold &gt; 10,000,000)", page);
        Assert.Contains("action=\"/alerts/test-mail\"", page);
        Assert.Contains("name=\"__RequestVerificationToken\"", page);
    }

    [Fact]
    public async Task A_bad_alert_setting_stops_the_site_at_start_with_one_line_naming_the_setting()
    {
        using var dir = new TempDirectory();
        var site = Path.Combine(AppContext.BaseDirectory, "monitor-web.dll");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet",
        [
            site, "--urls", "http://127.0.0.1:0", "--Probe:Enabled=false", $"--Probe:Store=sqlite:{dir.File("monitor.db")}",
            "--Alerts:Smtp:Host=127.0.0.1", "--Alerts:Rules:0:Metric=packets", "--Alerts:Rules:0:Op=more",
            "--Alerts:Rules:0:Value=1000", "--Alerts:Rules:0:To:0=soc@example.org",
        ])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = dir.Path,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        var message = await stderr;
        Assert.True(process.ExitCode == 2, $"exit code {process.ExitCode}; stderr: {message}; stdout: {await stdout}");
        Assert.StartsWith("monitor-web: Invalid alert configuration:", message);
        Assert.Contains("Alerts:Rules:0:Op: 'more' is not one of", message);
        Assert.DoesNotContain("   at ", message);
    }
}
