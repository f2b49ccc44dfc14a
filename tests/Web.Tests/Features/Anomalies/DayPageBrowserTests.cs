using System.Diagnostics;
using Microsoft.Playwright;
using Monitor.Web.Features.Anomalies.Detection;
using Monitor.Storage.Model.Metrics;
using Monitor.TestKit.History;
using Monitor.Web.Tests.Support;
using Xunit.Abstractions;

namespace Monitor.Web.Tests.Features.Anomalies;

/// <summary>
/// Debian's Chromium driven by Playwright against the real site over two generated weeks. Its own browser
/// (a class fixture), so it runs beside the browser collection instead of after it.
/// </summary>
public sealed class DayPageBrowserTests(HistorySite site, BrowserFixture browser, ITestOutputHelper output)
    : IClassFixture<HistorySite>, IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private static async Task<TimeSpan> OpenDayAsync(IPage page, Uri site, DateOnly day)
    {
        var watch = Stopwatch.StartNew();
        await page.GotoAsync(new Uri(site, $"days/{day:yyyy-MM-dd}?probe=history").ToString());
        await page.WaitForSelectorAsync("table.spike-list");
        var charts = page.Locator("[data-chart] .apexcharts-svg");
        for (var i = 0; i < 600 && await charts.CountAsync() < CoreSeries.All.Count; i++) await Task.Delay(100);
        Assert.Equal(CoreSeries.All.Count, await charts.CountAsync());
        return watch.Elapsed;
    }

    [Fact]
    public async Task The_day_page_highlights_spikes_and_the_flood_spike_leads_to_the_flood_source()
    {
        var baseUri = site.StartKestrel();
        var page = await browser.NewPageAsync();
        var floodDay = site.Plan.DayOf(site.Plan.Flood);

        var loaded = await OpenDayAsync(page, baseUri, floodDay);
        output.WriteLine($"day page {floodDay:yyyy-MM-dd} (flood) drawn in {loaded.TotalMilliseconds:F0} ms");
        Assert.True(await page.Locator("tr.spike-new[data-series='udp.max_weight']").CountAsync() == 1);
        Assert.True(await page.Locator("tr.spike-recurring[data-series='bits']").CountAsync() == 1);
        Assert.Equal("1", await page.Locator("div.period:has([data-chart='udp.max_weight'])").GetAttributeAsync("data-spikes"));
        Assert.Equal("2", await page.Locator("div.period:has([data-chart='bits'])").GetAttributeAsync("data-spikes"));
        // The month's calendar marks the day (it has new spikes) with a link to it.
        Assert.Equal(1, await page.Locator($"table.spike-calendar td.has-spikes a[data-day='{floodDay:yyyy-MM-dd}']").CountAsync());
        Assert.Equal(floodDay.ToString("yyyy-MM"), await page.Locator("table.spike-calendar").GetAttributeAsync("data-month"));
        await BrowserFixture.ScreenshotAsync(page, "day-flood");

        await page.Locator("tr.spike[data-series='udp.max_weight'] a.spike-link").ClickAsync();
        await page.WaitForURLAsync("**/spikes/**");
        await page.WaitForSelectorAsync("table.spike-flows tr.flow");
        var topSource = await page.Locator("table.spike-flows tr.flow").First.Locator("td[data-column=src]").InnerTextAsync();
        Assert.Equal(HistoryGenerator.FloodSource, topSource.Trim());
        var topUdp = await page.Locator("table.spike-compare[data-report='udp'] tr.compare").First.Locator("td[data-column=key]").InnerTextAsync();
        Assert.Equal(HistoryGenerator.FloodSource, topUdp.Trim());
        Assert.Contains("new", await page.Locator(".spike-summary").InnerTextAsync());
        await BrowserFixture.ScreenshotAsync(page, "spike-flood");

        foreach (var day in new[] { site.Plan.FirstDay.AddDays(2), site.Plan.DayOf(site.Plan.Scan), site.Plan.FirstDay.AddDays(13) })
        {
            var took = await OpenDayAsync(page, baseUri, day);
            var spikes = await page.Locator("table.spike-list tr.spike").CountAsync();
            output.WriteLine($"day page {day:yyyy-MM-dd} drawn in {took.TotalMilliseconds:F0} ms with {spikes} spikes listed");
            Assert.True(spikes > 0);
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => browser.ClosePagesAsync(output);
}
