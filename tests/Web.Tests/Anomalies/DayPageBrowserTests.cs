using System.Diagnostics;
using Microsoft.Playwright;
using Monitor.Storage.Anomalies;
using Monitor.Storage.Metrics;
using Monitor.TestKit.History;
using Xunit.Abstractions;

namespace Monitor.Web.Tests.Anomalies;

/// <summary>Debian's Chromium driven by Playwright against the real site over two generated weeks.</summary>
public sealed class DayPageBrowserTests(HistorySite site, ITestOutputHelper output) : IClassFixture<HistorySite>
{
    private static string ArtifactsDir()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Monitor.sln"))) dir = dir.Parent;
        var path = Path.Combine(dir?.FullName ?? Path.GetTempPath(), "artifacts", "anomalies");
        Directory.CreateDirectory(path);
        return path;
    }

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
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var artifacts = ArtifactsDir();
        var floodDay = site.Plan.DayOf(site.Plan.Flood);

        var loaded = await OpenDayAsync(page, baseUri, floodDay);
        output.WriteLine($"day page {floodDay:yyyy-MM-dd} (flood) drawn in {loaded.TotalMilliseconds:F0} ms");
        Assert.True(await page.Locator("tr.spike-new[data-series='udp.max_weight']").CountAsync() == 1);
        Assert.True(await page.Locator("tr.spike-recurring[data-series='bits']").CountAsync() == 1);
        Assert.Equal("1", await page.Locator("div.period:has([data-chart='udp.max_weight'])").GetAttributeAsync("data-spikes"));
        Assert.Equal("2", await page.Locator("div.period:has([data-chart='bits'])").GetAttributeAsync("data-spikes"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(artifacts, "day-flood.png"), FullPage = true });

        await page.Locator("tr.spike[data-series='udp.max_weight'] a.spike-link").ClickAsync();
        await page.WaitForURLAsync("**/spikes/**");
        await page.WaitForSelectorAsync("table.spike-flows tr.flow");
        var topSource = await page.Locator("table.spike-flows tr.flow").First.Locator("td[data-column=src]").InnerTextAsync();
        Assert.Equal(HistoryGenerator.FloodSource, topSource.Trim());
        var topUdp = await page.Locator("table.spike-compare[data-report='udp'] tr.compare").First.Locator("td[data-column=key]").InnerTextAsync();
        Assert.Equal(HistoryGenerator.FloodSource, topUdp.Trim());
        Assert.Contains("new", await page.Locator(".spike-summary").InnerTextAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(artifacts, "spike-flood.png"), FullPage = true });

        foreach (var day in new[] { site.Plan.FirstDay.AddDays(2), site.Plan.DayOf(site.Plan.Scan), site.Plan.FirstDay.AddDays(13) })
        {
            var took = await OpenDayAsync(page, baseUri, day);
            var spikes = await page.Locator("table.spike-list tr.spike").CountAsync();
            output.WriteLine($"day page {day:yyyy-MM-dd} drawn in {took.TotalMilliseconds:F0} ms with {spikes} spikes listed");
            Assert.True(spikes > 0);
        }
    }
}
