using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Snapshots;
using Monitor.Web.Tests.Support;
using Xunit.Abstractions;

namespace Monitor.Web.Tests.Browser;

/// <summary>
/// Clicks that go where the graph points, in Chromium over six stored hours with one one-minute UDP flood:
/// a click near the flood opens the udp report of the flood's interval, a drag zooms a day chart, a table
/// saves as CSV.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ClickThroughBrowserTests(BrowserFixture browser, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset End = Start.AddHours(6);
    private static readonly DateTimeOffset Flood = Start.AddHours(4).AddMinutes(17);
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(1);

    private readonly MonitorSite _site = new(kestrel: true);

    public async Task InitializeAsync()
    {
        var intervals = new List<IntervalSnapshot>();
        for (var t = Start; t < End; t += Step)
        {
            var interval = History.Interval(t, Step);
            if (t == Flood)
                interval = interval with { Metrics = new Dictionary<string, double>(interval.Metrics) { [MetricCatalog.UdpMaxWeight] = 1.8e9 } };
            intervals.Add(interval);
        }
        foreach (var batch in intervals.Chunk(500)) await _site.Store.WriteIntervalsAsync(batch);
    }

    private static Task ChartDrawnAsync(IPage page, string chart) =>
        page.WaitForFunctionAsync(
            "name => { const el = document.querySelector(`[data-chart-plot='${name}']`); " +
            "return el && Number(el.dataset.points) > 0 && el.querySelectorAll('.apexcharts-series path').length > 0; }",
            chart);

    private static string At(DateTimeOffset t) => Uri.EscapeDataString(t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"));

    [Fact]
    public async Task A_click_beside_a_one_minute_flood_on_the_udp_weight_graph_opens_the_udp_report_of_the_flood()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync($"{_site.BaseUrl}/graphs/{MetricCatalog.UdpMaxWeight}?from={At(Start)}&to={At(End)}");
        await ChartDrawnAsync(page, "custom");

        // Ticks carry dates (MM-dd HH:mm on a six-hour axis), 24-hour clock.
        var ticks = await page.Locator("[data-chart-plot='custom'] .apexcharts-xaxis-label").AllTextContentsAsync();
        Assert.Contains(ticks, t => Regex.IsMatch(t.Trim(), @"^03-01 \d{2}:\d{2}"));

        // Eight pixels right of the flood (two points over at this width): the click means the flood, not that point.
        var grid = page.Locator("[data-chart-plot='custom'] .apexcharts-grid");
        var clicks = await BrowserFixture.ClickChartUntilUrlAsync(page, grid,
            plot => new Position { X = (float)((Flood - Start) / (End - Start)) * plot.Width + 8, Y = plot.Height * 0.6f },
            new Regex(@"/reports/udp\?at="));
        output.WriteLine($"clicks until the udp report opened: {clicks}");
        Assert.Contains($"at={At(Flood)}", page.Url);
        await Assertions.Expect(page.Locator(".period-label")).ToContainTextAsync($"Interval {Flood:yyyy-MM-dd'T'HH:mm:ss'Z'}");
        await BrowserFixture.ScreenshotAsync(page, "udp-weight-click-to-udp-report");
    }

    [Fact]
    public async Task The_dashboard_over_a_stored_capture_draws_its_last_window_and_a_udp_weight_click_opens_the_udp_report()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(_site.BaseUrl + "/");
        await Assertions.Expect(page.Locator("[data-stale='true']")).ToContainTextAsync("2024-03-01T06:00:00Z");
        await ChartDrawnAsync(page, "packets");
        await ChartDrawnAsync(page, MetricCatalog.UdpMaxWeight);
        await page.WaitForFunctionAsync(
            "() => [...document.querySelectorAll('[data-chart-plot]')].every(el => el.querySelector('.apexcharts-svg'))");

        var grid = page.Locator($"[data-chart-plot='{MetricCatalog.UdpMaxWeight}'] .apexcharts-grid");
        var clicks = await BrowserFixture.ClickChartUntilUrlAsync(page, grid,
            plot => new Position { X = plot.Width * 0.5f, Y = plot.Height * 0.5f }, new Regex(@"/reports/udp\?at=2024-03-01T0"));
        output.WriteLine($"clicks until the udp report opened: {clicks}");
        await BrowserFixture.ScreenshotAsync(page, "dashboard-stored-window-udp-click");
    }

    [Fact]
    public async Task Dragging_across_a_day_chart_zooms_it_and_offers_the_report_of_the_zoomed_range()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync($"{_site.BaseUrl}/days/2024-03-01?probe={History.Probe}");
        await ChartDrawnAsync(page, MetricCatalog.Packets);

        var plot = await BrowserFixture.PlotAreaAsync(page, page.Locator($"[data-chart-plot='{MetricCatalog.Packets}'] .apexcharts-grid"));
        // The data fills the first quarter of the day: drag from 01:12 to 04:48.
        var y = plot.Y + plot.Height / 2;
        await page.Mouse.MoveAsync(plot.X + plot.Width * 0.05f, y);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(plot.X + plot.Width * 0.2f, y, new MouseMoveOptions { Steps = 12 });
        await page.Mouse.UpAsync();

        var selection = page.Locator(".day-selection");
        await Assertions.Expect(selection).ToBeVisibleAsync();
        var from = DateTimeOffset.Parse(await selection.GetAttributeAsync("data-from") ?? "");
        var to = DateTimeOffset.Parse(await selection.GetAttributeAsync("data-to") ?? "");
        Assert.True(from >= Start.AddMinutes(50) && from <= Start.AddMinutes(95), $"zoomed from {from:O}");
        Assert.True(to >= Start.AddHours(4.5) && to <= Start.AddHours(5.1), $"zoomed to {to:O}");
        Assert.Contains("/reports/talkers?from=", await selection.Locator("a.selection-report").GetAttributeAsync("href"));
        await BrowserFixture.ScreenshotAsync(page, "day-zoomed");
    }

    [Fact]
    public async Task A_report_table_saves_as_csv_with_field_names_and_raw_values()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync($"{_site.BaseUrl}/reports/talkers?at={At(Start.AddHours(1))}");
        await Assertions.Expect(page.Locator("table[data-report='talkers'] td[data-column='ip']").First).ToBeVisibleAsync();

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("button.csv-export[data-csv='talkers']").ClickAsync());
        var path = await download.PathAsync();
        var lines = await File.ReadAllLinesAsync(path!);

        Assert.Equal("talkers.csv", download.SuggestedFilename);
        Assert.StartsWith("ip,packets,bytes,bits_per_second,percent_of_total,packets_sent", lines[0]);
        var interval = History.Interval(Start.AddHours(1), Step);
        var top = interval.Reports["talkers"][0];
        // The top talker has half of the interval's bytes; the row's Sessions and Packets links are no column.
        Assert.StartsWith($"{History.TopTalker},{top["packets"]},{top["bytes"]},", lines[1]);
        Assert.Equal("50", lines[1].Split(',')[4]);
        Assert.All(lines, l => Assert.Equal(lines[0].Split(',').Length, l.Split(',').Length));
        Assert.DoesNotContain("Packets", lines[1]);
        Assert.Equal(4, lines.Length);
    }

    public async Task DisposeAsync()
    {
        await browser.ClosePagesAsync(output);
        _site.Dispose();
    }
}
