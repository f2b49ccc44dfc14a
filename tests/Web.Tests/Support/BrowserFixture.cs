using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using Monitor.TestKit.Filesystems;

namespace Monitor.Web.Tests.Support;

/// <summary>
/// Debian's headless Chromium driven by Playwright (Playwright's own browser download is not used),
/// shared by the browser tests; screenshots go to artifacts/screenshots at the repository root.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private readonly List<IBrowserContext> _openContexts = [];

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Errors and warnings the open pages logged.</summary>
    private List<string> BrowserLog { get; } = [];

    public static string ArtifactsDirectory { get; } = FindArtifacts();

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} is missing: run ./scripts/ensure-deps.sh test (apt-get install -y chromium)");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
    }

    /// <param name="javaScript">False for a page that never gets a Blazor circuit: what the browser does before one is up.</param>
    public async Task<IPage> NewPageAsync(bool javaScript = true)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1440, Height = 1000 },
            TimezoneId = "UTC",
            JavaScriptEnabled = javaScript,
        });
        context.SetDefaultTimeout(30_000);
        _openContexts.Add(context);
        var page = await context.NewPageAsync();
        page.Console += (_, message) => { if (message.Type is "error" or "warning") BrowserLog.Add($"console {message.Type}: {message.Text}"); };
        page.PageError += (_, error) => BrowserLog.Add($"page error: {error}");
        return page;
    }

    /// <summary>
    /// Closes every page a test opened and writes what they logged to that test's output. Tests call it
    /// before stopping their sites, so no page keeps reconnecting into the next test's log.
    /// </summary>
    public async Task ClosePagesAsync(ITestOutputHelper output)
    {
        foreach (var context in _openContexts) await context.CloseAsync();
        _openContexts.Clear();
        foreach (var line in BrowserLog) output.WriteLine(line);
        BrowserLog.Clear();
    }

    /// <summary>
    /// The box of a chart's plot area. A live chart redraws its SVG as seconds arrive, and a grid caught
    /// mid-redraw has no box for a moment: ask again for up to five seconds.
    /// </summary>
    public static async Task<LocatorBoundingBoxResult> PlotAreaAsync(IPage page, ILocator grid)
    {
        var box = await grid.BoundingBoxAsync();
        for (var attempt = 0; box is null && attempt < 50; attempt++)
        {
            await page.WaitForTimeoutAsync(100);
            box = await grid.BoundingBoxAsync();
        }
        Assert.NotNull(box);
        return box;
    }

    /// <summary>
    /// Clicks a chart's plot area at the point <paramref name="at"/> picks until the page's URL matches, and
    /// returns how many clicks it took (a user clicks again). On CI's loaded cores a click once went
    /// unanswered for a minute; the next click is sent only while the URL still has not changed, so a
    /// late first answer is never followed by a click on the next page. Fails after five clicks.
    /// </summary>
    public static async Task<int> ClickChartUntilUrlAsync(IPage page, ILocator grid, Func<LocatorBoundingBoxResult, Position> at, Regex url)
    {
        for (var click = 1; click <= 5; click++)
        {
            var plot = await PlotAreaAsync(page, grid);
            await grid.ClickAsync(new LocatorClickOptions { Position = at(plot), Force = true });
            for (var poll = 0; poll < 80; poll++)
            {
                if (url.IsMatch(page.Url)) return click;
                await page.WaitForTimeoutAsync(100);
            }
        }
        Assert.Fail($"five clicks on the chart did not open a page matching {url}; the page is still {page.Url}");
        return 0;
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactsDirectory, "screenshots", name + ".png"), FullPage = true });

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
    }

    private static string FindArtifacts() => Path.Combine(Repository.FindRoot() ?? AppContext.BaseDirectory, "artifacts");
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
