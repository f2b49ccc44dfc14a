using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Storage.Sessions;
using Monitor.Web.Features.Sessions;
using Monitor.Web.Tests.Support;

namespace Monitor.Web.Tests.Features.Sessions;

/// <summary>The sessions page's rows (bUnit) over the site's own session service and a real DuckDB file.</summary>
public sealed class SessionsPageTests : BunitContext, IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 6, 0, 0, TimeSpan.Zero);
    private readonly MonitorSite _site = new();

    public async Task InitializeAsync()
    {
        await _site.Services.GetRequiredService<ISessionStore>().WriteAsync("test-probe",
        [
            Record("10.0.0.5", 30000, "203.0.113.66", 80, 6, 10.25, 12.6),
            Record("10.0.0.8", 5353, "198.51.100.53", 53, 17, 20, 21),
            Record("10.0.0.8", 8, "192.0.2.1", 0, 1, 30.5, 40),
        ]);
        Services.AddSingleton(_site.Services.GetRequiredService<SessionService>());
    }

    private static SessionRecord Record(string src, ushort sport, string dst, ushort dport, byte proto, double start, double end) =>
        new(T0.AddSeconds(start), T0.AddSeconds(end), proto, SessionAddress.Parse(src), sport, SessionAddress.Parse(dst), dport,
            5, 500, 5, 5000, 0x1B, 0x1B, SessionState.SF, (byte)(proto == 1 ? 8 : 0), 0, 0, SessionEnd.Closed);

    private IRenderedComponent<SessionsPage> Open(string query)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo("sessions?" + query);
        return Render<SessionsPage>();
    }

    [Fact]
    public void Every_session_row_links_the_packets_of_its_hosts_and_responder_port_over_its_start_to_end_and_a_second_more()
    {
        var cut = Open("from=2026-11-20T06:00:00Z&to=2026-11-20T07:00:00Z&sort=start&dir=asc&probe=test-probe");
        cut.WaitForElement("table.sessions tbody tr");

        var links = cut.FindAll("table.sessions tbody tr a.packets-link").Select(a => a.GetAttribute("href")).ToList();
        Assert.Equal(
        [
            // 06:00:10.25–06:00:12.6, one second more each side, whole seconds outward.
            "/api/pcap?from=2026-11-20T06:00:09Z&to=2026-11-20T06:00:14Z&filter=host%2010.0.0.5%20and%20host%20203.0.113.66%20and%20port%2080&probe=test-probe",
            "/api/pcap?from=2026-11-20T06:00:19Z&to=2026-11-20T06:00:22Z&filter=host%2010.0.0.8%20and%20host%20198.51.100.53%20and%20port%2053&probe=test-probe",
            // ICMP has no responder port: the two hosts.
            "/api/pcap?from=2026-11-20T06:00:29Z&to=2026-11-20T06:00:41Z&filter=host%2010.0.0.8%20and%20host%20192.0.2.1&probe=test-probe",
        ], links);
    }

    [Fact]
    public void Address_links_of_a_session_row_carry_the_searched_window()
    {
        var cut = Open("q=port+80&from=2026-11-20T06:00:00Z&to=2026-11-20T07:00:00Z");
        cut.WaitForElement("table.sessions tbody tr");

        var hosts = cut.FindAll("table.sessions tbody tr a[href^='hosts/']").Select(a => a.GetAttribute("href")).ToList();
        Assert.Equal(
        [
            "hosts/10.0.0.5?from=2026-11-20T06%3A00%3A00Z&to=2026-11-20T07%3A00%3A00Z",
            "hosts/203.0.113.66?from=2026-11-20T06%3A00%3A00Z&to=2026-11-20T07%3A00%3A00Z",
        ], hosts);
    }

    [Fact]
    public void The_packets_and_bytes_sorts_sit_on_the_columns_of_both_directions_summed()
    {
        var cut = Open("from=2026-11-20T06:00:00Z&to=2026-11-20T07:00:00Z&sort=bytes&dir=desc&probe=test-probe");
        cut.WaitForElement("table.sessions tbody tr");

        var headers = cut.FindAll("table.sessions thead th").Select(th => th.TextContent.Trim()).ToList();
        Assert.Equal("bytes ▼", cut.Find("th a[data-sort='bytes']").TextContent.Trim());
        Assert.Equal("packets", cut.Find("th a[data-sort='packets']").TextContent.Trim());
        Assert.Contains("bytes src", headers);
        // No one-direction column ("bytes src", "packets dst") carries a sort.
        Assert.DoesNotContain(cut.FindAll("th a[data-sort]"), a => a.TextContent.Contains(" src") || a.TextContent.Contains(" dst"));
        Assert.All(cut.FindAll("table.sessions tbody td[data-column='bytes']"), td => Assert.Equal("5500", td.TextContent.Trim()));
        Assert.All(cut.FindAll("table.sessions tbody td[data-column='packets']"), td => Assert.Equal("10", td.TextContent.Trim()));
    }

    Task IAsyncLifetime.DisposeAsync()
    {
        _site.Dispose();
        return Task.CompletedTask;
    }
}
