using Monitor.TestKit.Filesystems;
using Monitor.Web.Features.Alerts;
using static Monitor.Web.Tests.Features.Alerts.AlertTestKit;

namespace Monitor.Web.Tests.Features.Alerts;

public sealed class AlertMailComposerTests
{
    [Fact]
    public void Drill_down_links_lead_to_the_reports_of_the_interval_and_to_the_day_page_of_a_spike()
    {
        using var dir = new TempDirectory();
        var settings = AlertSettings.Validate(Options(dir.Path, 25, UdpWeightRule(),
            new AlertRuleOptions { Name = "busy", Metric = "packets", Op = ">", Value = 1000, To = ["a@example.org"] },
            new AlertRuleOptions { Type = "anomaly", Name = "new-spike", To = ["a@example.org"] }));
        var composer = new AlertMailComposer(settings);

        var udp = new AlertFiring(settings.Rules[0], "edge-1", T0, T0.AddSeconds(30), 2e7, [], "udp", []);
        Assert.Equal("http://monitor.test:5080/reports/udp?from=2026-11-23T10%3A00%3A00Z&to=2026-11-23T10%3A00%3A30Z&probe=edge-1", composer.DrillDown(udp));
        var metric = new AlertFiring(settings.Rules[1], "edge-1", T0, T0.AddSeconds(30), 5000, [], null, []);
        Assert.Equal("http://monitor.test:5080/reports/talkers?from=2026-11-23T10%3A00%3A00Z&to=2026-11-23T10%3A00%3A30Z&probe=edge-1", composer.DrillDown(metric));
        var spike = new AlertFiring(settings.Rules[2], "edge-1", T0.AddHours(15), T0.AddHours(15).AddMinutes(1), null, [], null, []);
        Assert.Equal("http://monitor.test:5080/days/2026-11-24?probe=edge-1", composer.DrillDown(spike));
    }
}
