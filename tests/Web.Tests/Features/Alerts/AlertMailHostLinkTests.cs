using Monitor.TestKit.Filesystems;
using Monitor.Web.Features.Alerts;
using static Monitor.Web.Tests.Features.Alerts.AlertTestKit;

namespace Monitor.Web.Tests.Features.Alerts;

public sealed class AlertMailHostLinkTests
{
    [Fact]
    public void An_offenders_host_link_in_the_mail_opens_its_page_over_the_interval_that_fired()
    {
        using var dir = new TempDirectory();
        var settings = AlertSettings.Validate(Options(dir.Path, 25, UdpWeightRule()));
        var composer = new AlertMailComposer(settings);
        var firing = new AlertFiring(settings.Rules[0], "edge-1", T0, T0.AddSeconds(30), 2e7,
            [new Offender("203.0.113.66", "203.0.113.66 weight 20,000,000", 2e7, null)], "udp", []);

        var mail = composer.Fired(settings.Rules[0], [firing], [], []);

        const string link = "http://monitor.test:5080/hosts/203.0.113.66?from=2026-11-23T10%3A00%3A00Z&amp;to=2026-11-23T10%3A00%3A30Z&amp;probe=edge-1";
        Assert.Contains($"<li><a href=\"{link}\">203.0.113.66 weight 20,000,000</a></li>", mail.Html);
    }
}
