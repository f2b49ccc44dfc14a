using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Monitor.Web.Tests.Support;
using Xunit.Abstractions;

namespace Monitor.Web.Tests.Browser;

/// <summary>Ourmon's four periods in Chromium over stored history: drag to zoom into a range kept in the URL; a year of data.</summary>
[Collection(BrowserCollection.Name)]
public sealed class GraphsBrowserTests(BrowserFixture browser, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly MonitorSite _site = new(kestrel: true);

    private static Task ChartDrawnAsync(IPage page, string chart) =>
        page.WaitForFunctionAsync(
            "name => { const el = document.querySelector(`[data-chart-plot='${name}']`); " +
            "return el && Number(el.dataset.points) > 0 && el.querySelectorAll('.apexcharts-series path').length > 0; }",
            chart);

    [Fact]
    public async Task Dragging_across_the_day_graph_zooms_into_that_range_and_puts_it_in_the_url()
    {
        var now = DateTimeOffset.UtcNow;
        var start = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero).AddHours(-6);
        await History.WriteAsync(_site.Store, start, start.AddHours(6), TimeSpan.FromMinutes(1));
        var page = await browser.NewPageAsync();

        await page.GotoAsync(_site.BaseUrl + "/graphs/packets");
        await ChartDrawnAsync(page, "day");
        foreach (var period in new[] { "week", "month", "year" })
            await Assertions.Expect(page.Locator($"[data-chart-plot='{period}']")).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "graphs-four-periods");

        var plot = await BrowserFixture.PlotAreaAsync(page, page.Locator("[data-chart-plot='day'] .apexcharts-grid"));
        var y = plot.Y + plot.Height / 2;
        await page.Mouse.MoveAsync(plot.X + plot.Width * 0.85f, y);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(plot.X + plot.Width * 0.97f, y, new MouseMoveOptions { Steps = 12 });
        await page.Mouse.UpAsync();

        // The in-document navigation may land before a wait for it starts: poll the URL.
        await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"/graphs/packets\?from=[^&]+&to="), new() { Timeout = 60_000 });
        await ChartDrawnAsync(page, "custom");
        var from = DateTimeOffset.Parse(Uri.UnescapeDataString(Regex.Match(page.Url, "from=([^&]+)").Groups[1].Value));
        var to = DateTimeOffset.Parse(Uri.UnescapeDataString(Regex.Match(page.Url, "to=([^&]+)").Groups[1].Value));
        Assert.True(from < to && from > start && to <= now.AddMinutes(5), $"range {from:O} – {to:O}");
        await BrowserFixture.ScreenshotAsync(page, "graphs-zoomed");

        var bookmarked = await browser.NewPageAsync();
        await bookmarked.GotoAsync(page.Url);
        await ChartDrawnAsync(bookmarked, "custom");
        Assert.Equal(await page.GetAttributeAsync("[data-chart-plot='custom']", "data-points"),
            await bookmarked.GetAttributeAsync("[data-chart-plot='custom']", "data-points"));
    }

    [Fact]
    public async Task A_one_year_graph_draws_a_year_of_stored_data_in_at_most_2000_points()
    {
        var now = DateTimeOffset.UtcNow;
        var end = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerHour, TimeSpan.Zero);
        // One stored point per 6 hours keeps the test quick on a loaded machine; the year view reads
        // the consolidated hourly tier either way.
        var writing = Stopwatch.StartNew();
        var written = await History.WriteAsync(_site.Store, end.AddDays(-400), end, TimeSpan.FromHours(6));
        output.WriteLine($"stored {written} six-hour intervals (400 days) in {writing.Elapsed.TotalSeconds:0.0} s");
        var page = await browser.NewPageAsync();

        await page.GotoAsync(_site.BaseUrl + "/graphs/bits");
        await ChartDrawnAsync(page, "year");

        var points = int.Parse(await page.GetAttributeAsync("[data-chart-plot='year']", "data-points") ?? "0");
        Assert.InRange(points, 300, 2 * 2000);
        var drawn = await page.EvaluateAsync<double>("Number(document.querySelector(\"[data-chart-plot='year']\").dataset.drawnMs)");
        var first = await page.EvaluateAsync<double>("window.monitorCharts.firstDrawnMs");
        output.WriteLine($"year graph: first chart drawn {first:0} ms, year chart drawn {drawn:0} ms after navigation start ({points} points incl. band)");
        await BrowserFixture.ScreenshotAsync(page, "graphs-one-year");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await browser.ClosePagesAsync(output);
        _site.Dispose();
    }
}
