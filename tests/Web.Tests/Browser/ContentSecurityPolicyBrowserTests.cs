using Microsoft.Playwright;
using Monitor.Web.Features.Anomalies.Detection;
using Monitor.Web.Security;
using Monitor.Web.Tests.Features.Anomalies;
using Monitor.Web.Tests.Support;
using Xunit.Abstractions;

namespace Monitor.Web.Tests.Browser;

/// <summary>
/// The site's real Content-Security-Policy in Chromium: the dashboard, a graph page and a day page load
/// with no policy violation and no console error, and their ApexCharts charts really draw data.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ContentSecurityPolicyBrowserTests(BrowserFixture browser, ContentSecurityPolicyBrowserTests.ListeningHistory history, ITestOutputHelper output)
    : IClassFixture<ContentSecurityPolicyBrowserTests.ListeningHistory>, IAsyncLifetime
{
    private readonly List<MonitorSite> _sites = [];
    private readonly List<string> _problems = [];

    /// <summary>A page that records every CSP violation (from the document's own event) and console error.</summary>
    private async Task<IPage> WatchedPageAsync()
    {
        var page = await browser.NewPageAsync();
        await page.AddInitScriptAsync("""
            window.__violations = [];
            document.addEventListener('securitypolicyviolation', e =>
              window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`));
            """);
        page.Console += (_, message) => { if (message.Type == "error") _problems.Add($"console error on {page.Url}: {message.Text} ({message.Location})"); };
        page.PageError += (_, error) => _problems.Add($"page error on {page.Url}: {error}");
        page.Response += (_, response) => { if (response.Status >= 400) _problems.Add($"HTTP {response.Status} for {response.Url}"); };
        return page;
    }

    private static async Task AssertThePolicyIsServedAsync(IResponse? response)
    {
        Assert.NotNull(response);
        Assert.Equal([SecurityHeaders.ContentSecurityPolicy], await response.HeaderValuesAsync("content-security-policy"));
    }

    /// <summary>Waits until a chart has data and ApexCharts drew series paths with real coordinates.</summary>
    private async Task ChartDrawnAsync(IPage page, string chart)
    {
        try
        {
            await page.WaitForFunctionAsync(
                "name => { const el = document.querySelector(`[data-chart-plot='${name}']`); if (!el || !(Number(el.dataset.points) > 0)) return false; " +
                "return [...el.querySelectorAll('.apexcharts-series path')].some(p => /[0-9]/.test(p.getAttribute('d') || '') && (p.getAttribute('d') || '').length > 20); }",
                chart);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"chart {chart} on {page.Url} never drew its data\n{string.Join('\n', _problems)}");
        }
    }

    /// <summary>Moves the mouse across a chart's plot, so ApexCharts draws its shared tooltip for many points.</summary>
    private static async Task HoverAcrossAsync(IPage page, string chart)
    {
        var plot = await BrowserFixture.PlotAreaAsync(page, page.Locator($"[data-chart-plot='{chart}'] .apexcharts-grid").First);
        for (var x = 0.05f; x < 1; x += 0.15f)
            await page.Mouse.MoveAsync(plot.X + plot.Width * x, plot.Y + plot.Height / 2, new MouseMoveOptions { Steps = 3 });
    }

    /// <summary>Lets late errors (chart updates, tooltips, the circuit) surface, then asserts there were none.</summary>
    private async Task AssertCleanAsync(IPage page)
    {
        await page.WaitForTimeoutAsync(1500);
        var violations = await page.EvaluateAsync<string[]>("window.__violations");
        Assert.True(violations.Length == 0, $"CSP violations on {page.Url}:\n{string.Join('\n', violations)}");
        Assert.True(_problems.Count == 0, string.Join('\n', _problems));
    }

    [Fact]
    public async Task The_dashboard_draws_its_live_charts_under_the_sites_content_security_policy()
    {
        var site = new MonitorSite(kestrel: true);
        _sites.Add(site);
        var start = DateTimeOffset.UtcNow.AddSeconds(-40);
        start = new DateTimeOffset(start.Ticks - start.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        await site.Store.WriteSecondsAsync(History.Seconds(start, 38));
        await History.WriteAsync(site.Store, start.AddHours(-2), start, TimeSpan.FromSeconds(30));
        var page = await WatchedPageAsync();

        await AssertThePolicyIsServedAsync(await page.GotoAsync(site.BaseUrl + "/"));
        foreach (var chart in new[] { "packets", "bits", "protocols", "udp.max_weight" }) await ChartDrawnAsync(page, chart);
        await HoverAcrossAsync(page, "protocols");
        // A live second arriving over the circuit is appended under the same policy.
        var before = int.Parse(await page.GetAttributeAsync("[data-chart-plot='packets']", "data-points") ?? "0");
        await site.Store.WriteSecondsAsync(History.Seconds(DateTimeOffset.UtcNow.AddSeconds(-1), 1));
        await page.WaitForFunctionAsync(
            "before => Number(document.querySelector(\"[data-chart-plot='packets']\").dataset.points) > before", before);

        await AssertCleanAsync(page);
    }

    [Fact]
    public async Task A_graph_page_draws_its_four_periods_with_bands_under_the_sites_content_security_policy()
    {
        var page = await WatchedPageAsync();

        await AssertThePolicyIsServedAsync(await page.GotoAsync(new Uri(history.BaseUri, "graphs/packets?probe=history").ToString()));
        foreach (var period in new[] { "day", "week", "month", "year" }) await ChartDrawnAsync(page, period);
        Assert.True(await page.Locator("[data-chart-plot='day'] .apexcharts-rangearea-series path, [data-chart-plot='day'] .apexcharts-rangeArea-series path").CountAsync() > 0,
            "the day graph drew no min-max band");
        await HoverAcrossAsync(page, "day");

        await AssertCleanAsync(page);
    }

    [Fact]
    public async Task A_day_page_draws_every_series_with_its_spikes_under_the_sites_content_security_policy()
    {
        var page = await WatchedPageAsync();
        var day = history.Site.Plan.DayOf(history.Site.Plan.Flood);

        await AssertThePolicyIsServedAsync(await page.GotoAsync(new Uri(history.BaseUri, $"days/{day:yyyy-MM-dd}?probe=history").ToString()));
        await page.WaitForSelectorAsync("table.spike-list");
        foreach (var series in CoreSeries.All) await ChartDrawnAsync(page, series);
        Assert.True(await page.Locator(".apexcharts-xaxis-annotations rect").CountAsync() > 0, "no spike was highlighted on the day's charts");
        // Hovering a highlighted spike shows its tooltip: the annotation handlers run under the policy too.
        await page.Locator("[data-chart-plot='udp.max_weight'] .apexcharts-xaxis-annotations rect").First.HoverAsync(new LocatorHoverOptions { Force = true });
        await HoverAcrossAsync(page, "bits");
        await BrowserFixture.ScreenshotAsync(page, "day-under-csp");
        // The next day through the page's own link: the same charts are redrawn with new data in place.
        await page.Locator("a.day-next").ClickAsync();
        await page.WaitForURLAsync($"**/days/{day.AddDays(1):yyyy-MM-dd}?probe=history");
        foreach (var series in CoreSeries.All) await ChartDrawnAsync(page, series);

        await AssertCleanAsync(page);
        output.WriteLine($"day {day:yyyy-MM-dd}: {CoreSeries.All.Count} charts drawn, no CSP violation, no console error");
    }

    /// <summary>Two generated weeks in the real site, listening on loopback for the whole class.</summary>
    public sealed class ListeningHistory : IAsyncLifetime
    {
        public HistorySite Site { get; } = new();
        public Uri BaseUri { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            await Site.InitializeAsync();
            BaseUri = Site.StartKestrel();
        }

        public Task DisposeAsync() => Site.DisposeAsync();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await browser.ClosePagesAsync(output);
        foreach (var site in _sites) site.Dispose();
    }
}
