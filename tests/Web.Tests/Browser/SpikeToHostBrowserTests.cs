using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Playwright;
using Monitor.TestKit.History;
using Monitor.Web.Features.Anomalies.Detection;
using Monitor.Web.Tests.Features.Anomalies;
using Monitor.Web.Tests.Support;
using Xunit.Abstractions;

namespace Monitor.Web.Tests.Browser;

/// <summary>
/// From a spike to the host behind it in Chromium, over two generated weeks: the host link of the spike's drill-down
/// opens the host page over the spike's own window, where that host's rows are.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class SpikeToHostBrowserTests(HistorySite site, BrowserFixture browser, ITestOutputHelper output)
    : IClassFixture<HistorySite>, IAsyncLifetime
{
    [Fact]
    public async Task A_host_link_of_the_flood_spikes_drill_down_opens_the_host_page_over_the_spikes_window_with_that_hosts_rows()
    {
        var baseUri = site.StartKestrel();
        var page = await browser.NewPageAsync();
        // The drill-down reads two weeks of history for its comparisons: on a loaded machine that takes its time.
        page.SetDefaultTimeout(120_000);
        var floodDay = site.Plan.DayOf(site.Plan.Flood);
        await page.GotoAsync(new Uri(baseUri, $"days/{floodDay:yyyy-MM-dd}?probe=history").ToString());
        // The day page is interactive once its charts are drawn (the circuit draws them): the click is then the page's own navigation.
        await page.WaitForSelectorAsync("table.spike-list");
        await Assertions.Expect(page.Locator("[data-chart] .apexcharts-svg")).ToHaveCountAsync(CoreSeries.All.Count, new() { Timeout = 120_000 });
        await page.Locator("tr.spike[data-series='udp.max_weight'] a.spike-link").ClickAsync();
        await page.WaitForURLAsync("**/spikes/**");

        var source = page.Locator("table.spike-flows tr.flow td[data-column=src] a", new() { HasTextString = HistoryGenerator.FloodSource }).First;
        await Assertions.Expect(source).ToBeVisibleAsync(new() { Timeout = 120_000 });
        var linked = QueryHelpers.ParseQuery(new Uri(baseUri, await source.GetAttributeAsync("href")).Query);
        var from = DateTimeOffset.Parse(linked["from"].ToString(), CultureInfo.InvariantCulture);
        var to = DateTimeOffset.Parse(linked["to"].ToString(), CultureInfo.InvariantCulture);
        // The drill-down's window holds the planned flood (the spike's intervals), not the last 6 hours of the clock.
        Assert.True(from <= site.Plan.Flood.Start.AddMinutes(5) && to > site.Plan.Flood.Start && to - from < TimeSpan.FromHours(6),
            $"window {from:O}..{to:O}, flood {site.Plan.Flood.Start:O}");

        await source.ClickAsync();
        await page.WaitForURLAsync($"**/hosts/{HistoryGenerator.FloodSource}?**");
        var opened = QueryHelpers.ParseQuery(new Uri(page.Url).Query);
        Assert.Equal(linked["from"], opened["from"]);
        Assert.Equal(linked["to"], opened["to"]);
        Assert.Equal("history", opened["probe"]);

        await Assertions.Expect(page.Locator("p.resolution")).ToContainTextAsync($"{linked["from"]} — {linked["to"]}", new() { Timeout = 120_000 });
        var rows = page.Locator("section table.report-table tbody tr", new() { HasTextString = HistoryGenerator.FloodSource });
        await Assertions.Expect(rows.First).ToBeVisibleAsync(new() { Timeout = 120_000 });
        Assert.Equal(0, await page.Locator("p.empty").CountAsync());
        var reports = await page.Locator("section table.report-table").EvaluateAllAsync<string[]>("tables => tables.map(t => t.dataset.report)");
        output.WriteLine($"host page {page.Url}: {await rows.CountAsync()} rows with {HistoryGenerator.FloodSource} in {string.Join(", ", reports)}");
        await BrowserFixture.ScreenshotAsync(page, "spike-to-host-same-window");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => browser.ClosePagesAsync(output);
}
