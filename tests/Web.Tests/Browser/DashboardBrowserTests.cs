using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Monitor.Web.Live;
using Monitor.Web.Tests.Support;
using Xunit.Abstractions;

namespace Monitor.Web.Tests.Browser;

/// <summary>
/// A person's path through the site in Chromium: replay a capture through the in-process probe, watch
/// the dashboard, click a point into that interval's reports, and come back by a bookmarked URL.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardBrowserTests(BrowserFixture browser, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly List<MonitorSite> _sites = [];

    private async Task<(MonitorSite Site, IReadOnlyList<string> Talkers)> ReplaySiteAsync()
    {
        var scratch = Directory.CreateTempSubdirectory("monitor-web-capture-").FullName;
        var (capture, talkers) = Captures.ForReplay(scratch);
        var site = new MonitorSite(kestrel: true, new Dictionary<string, string?>
        {
            ["Probe:Enabled"] = "true",
            ["Probe:Read:0"] = capture,
            ["Probe:Interval"] = "30",
            ["Probe:Workers"] = "1",
        });
        _sites.Add(site);
        _ = site.BaseUrl;
        var live = site.Services.GetRequiredService<ILiveMonitor>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (live.Status?.State is not ("stopped" or "failed") && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Equal("stopped", live.Status?.State);
        // The store writes through the probe's spool: wait until the last interval is readable.
        while ((await site.Store.QueryProbesAsync()).All(p => p.LastIntervalStart != live.LastInterval?.Start) && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        return (site, talkers);
    }

    private static readonly PageWaitForURLOptions SameDocument = new() { WaitUntil = WaitUntilState.Commit, Timeout = 60_000 };

    private static Task<IJSHandle> ChartDrawnAsync(IPage page, string chart) =>
        page.WaitForFunctionAsync(
            "name => { const el = document.querySelector(`[data-chart-plot='${name}']`); " +
            "return el && Number(el.dataset.points) > 0 && el.querySelectorAll('.apexcharts-series path').length > 0; }",
            chart, new PageWaitForFunctionOptions { Timeout = 60_000 }); // a loaded machine (the whole suite at once) takes its time

    [Fact]
    public async Task After_replaying_a_capture_the_dashboard_draws_packets_per_second_and_lists_a_talker_from_it()
    {
        var (site, talkers) = await ReplaySiteAsync();
        var page = await browser.NewPageAsync();

        await page.GotoAsync(site.BaseUrl + "/");
        await ChartDrawnAsync(page, "packets");
        await ChartDrawnAsync(page, "protocols");

        var points = int.Parse(await page.GetAttributeAsync("[data-chart-plot='packets']", "data-points") ?? "0");
        Assert.True(points > 10, $"the packets/s chart drew {points} points");
        var shown = await page.Locator("table[data-report='talkers'] td[data-column='ip']").AllInnerTextsAsync();
        Assert.Contains(shown, text => talkers.Any(text.Contains));
        var firstDrawn = await page.EvaluateAsync<double>("window.monitorCharts.firstDrawnMs");
        output.WriteLine($"dashboard: first chart drawn {firstDrawn:0} ms after navigation start ({points} points)");
        await BrowserFixture.ScreenshotAsync(page, "dashboard-after-replay");
    }

    [Fact]
    public async Task Clicking_a_graph_point_opens_that_intervals_reports_and_the_bookmarked_url_shows_the_same_view()
    {
        var (site, talkers) = await ReplaySiteAsync();
        var page = await browser.NewPageAsync();
        await page.GotoAsync(site.BaseUrl + "/");
        await ChartDrawnAsync(page, "packets");

        // Under load the other charts may still be mounting and move the page: wait until every chart is mounted,
        // and place the click relative to the plot area where it is when clicking (ApexCharts' overlay takes it).
        await page.WaitForFunctionAsync(
            "() => [...document.querySelectorAll('[data-chart-plot]')].every(el => el.querySelector('.apexcharts-svg'))");
        var grid = page.Locator("[data-chart-plot='packets'] .apexcharts-grid");
        // Blazor navigates inside the document, and may have done so before a wait for a navigation starts: poll the URL.
        await BrowserFixture.ClickChartUntilUrlAsync(page, grid,
            plot => new Position { X = plot.Width * 0.5f, Y = plot.Height * 0.5f }, new Regex(@"/reports/talkers\?at="));
        var label = page.Locator(".period-label");
        await Assertions.Expect(label).ToContainTextAsync("Interval");
        var at = DateTimeOffset.Parse(Regex.Match(page.Url, @"at=([^&]+)").Groups[1].Value.Replace("%3A", ":"));
        var intervalStart = DateTimeOffset.Parse(Regex.Match(await label.InnerTextAsync(), @"Interval (\S+)").Groups[1].Value);
        Assert.True(intervalStart <= at && at < intervalStart.AddSeconds(30), $"clicked {at:O}, shown interval {intervalStart:O}");
        var rows = page.Locator("table[data-report='talkers'] td[data-column='ip']");
        await Assertions.Expect(rows.First).ToBeVisibleAsync();
        Assert.Contains(await rows.AllInnerTextsAsync(), text => talkers.Any(text.Contains));

        await page.Locator("th[data-column='packets']").ClickAsync();
        await page.WaitForURLAsync(new Regex("sort=packets"), SameDocument);
        var bookmark = page.Url;
        var labelText = await label.InnerTextAsync();
        var order = await page.Locator("td[data-column='packets']").AllInnerTextsAsync();
        await BrowserFixture.ScreenshotAsync(page, "reports-after-click");

        var again = await browser.NewPageAsync();
        await again.GotoAsync(bookmark);
        await Assertions.Expect(again.Locator(".period-label")).ToHaveTextAsync(labelText);
        await Assertions.Expect(again.Locator("td[data-column='packets']")).ToHaveTextAsync(order.ToArray());
        await Assertions.Expect(again.Locator("th[data-column='packets']")).ToHaveClassAsync(new Regex("sorted"));
        await BrowserFixture.ScreenshotAsync(again, "reports-bookmarked");
    }

    [Fact]
    public async Task Dashboard_charts_move_as_new_seconds_arrive_without_a_reload()
    {
        var site = new MonitorSite(kestrel: true);
        _sites.Add(site);
        var start = DateTimeOffset.UtcNow.AddSeconds(-30);
        start = new DateTimeOffset(start.Ticks - start.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        await site.Store.WriteSecondsAsync(History.Seconds(start, 28));
        var page = await browser.NewPageAsync();
        await page.GotoAsync(site.BaseUrl + "/");
        await ChartDrawnAsync(page, "packets");
        await page.EvaluateAsync("window.__sameDocument = true");
        var before = int.Parse(await page.GetAttributeAsync("[data-chart-plot='packets']", "data-points") ?? "0");

        // A new second every second, as a probe writes them, until the chart shows one more point (a loaded machine
        // may take a while to push the first): at most a minute.
        const string moved = "before => Number(document.querySelector(\"[data-chart-plot='packets']\").dataset.points) > before";
        var shown = false;
        for (var i = 0; i < 60 && !shown; i++)
        {
            await site.Store.WriteSecondsAsync(History.Seconds(DateTimeOffset.UtcNow.AddSeconds(-1), 1));
            await Task.Delay(1000);
            shown = await page.EvaluateAsync<bool>($"({moved})({before})");
        }

        Assert.True(shown, $"the packets chart stayed at {before} points while new seconds were stored for a minute");
        Assert.True(await page.EvaluateAsync<bool>("window.__sameDocument === true"));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await browser.ClosePagesAsync(output);
        foreach (var site in _sites) site.Dispose();
    }
}
