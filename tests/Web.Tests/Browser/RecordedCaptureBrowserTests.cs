using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Monitor.TestKit.Filesystems;
using Monitor.Web.Common;
using Monitor.Web.Features.Sessions;
using Monitor.Web.Live;
using Monitor.Web.Security;
using Monitor.Web.Tests.Support;
using Xunit.Abstractions;

namespace Monitor.Web.Tests.Browser;

/// <summary>
/// The real site (Kestrel, login required) after its in-process probe replayed a shared capture (or a generated
/// one) into the SQLite store, the DuckDB session store and the packet recording.
/// </summary>
public sealed class RecordedCaptureSite : IAsyncLifetime
{
    public const string User = "ana";
    public const string Password = "correct horse battery";

    private readonly TempDirectory _dir = new();

    public MonitorSite Site { get; private set; } = null!;
    public string Capture { get; private set; } = "";
    public string Recording => _dir.File("record");

    /// <summary>The capture's first and last packet, whole seconds outward: the window the pages are opened on.</summary>
    public (string From, string To) Window { get; private set; }

    public async Task InitializeAsync()
    {
        (Capture, _) = Captures.ForReplay(_dir.Path);
        Site = new MonitorSite(kestrel: true, new Dictionary<string, string?>
        {
            ["Probe:Enabled"] = "true",
            ["Probe:Read:0"] = Capture,
            ["Probe:Record"] = Recording,
            ["Probe:Interval"] = "30",
            ["Probe:Workers"] = "1",
            ["Auth:Users:0:Name"] = User,
            ["Auth:Users:0:PasswordHash"] = Credentials.HashPassword(User, Password),
        });
        _ = Site.BaseUrl;
        var live = Site.Services.GetRequiredService<ILiveMonitor>();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (live.Status?.State is not ("stopped" or "failed") && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Equal("stopped", live.Status?.State);

        var times = Tcpdump.Lines(Capture).Select(Tcpdump.Time).ToList();
        var from = times.Min();
        var to = times.Max().AddSeconds(1);
        Window = (TimeRange.Format(from), TimeRange.Format(to));
        // The session store takes the last records (the capture's end closes every session) a moment after the stop.
        var sessions = Site.Services.GetRequiredService<SessionService>();
        long total = -1, previous;
        do
        {
            previous = total;
            await Task.Delay(500);
            total = (await sessions.SearchAsync(new SessionSearch(null, Window.From, Window.To, null, null, null, "1", null), default)).Page.Total;
        } while ((total == 0 || total != previous) && DateTime.UtcNow < deadline);
        Assert.True(total > 0, "the replay stored sessions");
    }

    /// <summary>A browser page logged in as <see cref="User"/>, at <paramref name="path"/>.</summary>
    public async Task<IPage> LoggedInPageAsync(BrowserFixture browser, string path, bool javaScript = true)
    {
        var page = await browser.NewPageAsync(javaScript);
        await page.GotoAsync($"{Site.BaseUrl}/login?returnUrl={Uri.EscapeDataString(path)}");
        await page.Locator("input[name=User]").FillAsync(User);
        await page.Locator("input[name=Password]").FillAsync(Password);
        await page.Locator("button[type=submit]").ClickAsync();
        // Only until the page is left: waiting for its "load" as well timed out once in a full run without JavaScript (the
        // event had fired, Playwright missed it); every caller waits for the elements it reads.
        await page.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal), new() { WaitUntil = WaitUntilState.Commit });
        return page;
    }

    public Task DisposeAsync()
    {
        Site?.Dispose();
        _dir.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>
/// The sessions page and a "Packets" download in Chromium over a replayed capture: a filter, a sort, a bad filter's
/// message, and a session's pcap that tcpdump reads as exactly the recording's packets of that session.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class RecordedCaptureBrowserTests(RecordedCaptureSite recorded, BrowserFixture browser, ITestOutputHelper output)
    : IClassFixture<RecordedCaptureSite>, IAsyncLifetime
{
    private string SessionsPath(string? query = null) =>
        $"/sessions?from={Uri.EscapeDataString(recorded.Window.From)}&to={Uri.EscapeDataString(recorded.Window.To)}" + (query is null ? "" : "&" + query);

    /// <summary>
    /// Types a filter and presses Search. Until the page's circuit is up a click on Search does nothing (Blazor holds
    /// it back), so it is pressed again every few seconds; a submit that became the browser's own GET (which drops
    /// the query) opens the page again.
    /// </summary>
    private async Task SearchAsync(IPage page, string filter)
    {
        var start = page.Url;
        var searched = "q=" + Uri.EscapeDataString(filter);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            await page.Locator("input.filter").FillAsync(filter);
            await page.Locator("form.session-search button[type=submit]").ClickAsync();
            var deadline = DateTime.UtcNow.AddSeconds(3);
            while (page.Url == start && DateTime.UtcNow < deadline) await Task.Delay(100);
            if (page.Url.Contains(searched, StringComparison.Ordinal))
            {
                output.WriteLine($"search '{filter}' started after {attempt} click(s), {watch.ElapsedMilliseconds} ms");
                break;
            }
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(90), $"the search did not start: {page.Url}");
            if (page.Url != start) await page.GotoAsync(start);
        }
        // The URL changes before the page renders the search: wait for the table of this filter, or its message.
        await page.Locator($"table.sessions[data-q='{filter}'], p.error[data-filter-error]").WaitForAsync();
    }

    private static async Task<IReadOnlyList<string>> ColumnAsync(IPage page, string column) =>
        (await page.Locator($"table.sessions tbody td[data-column='{column}']").AllInnerTextsAsync()).Select(t => t.Trim()).ToList();

    [Fact]
    public async Task The_sessions_page_filters_sorts_and_points_at_the_word_of_a_bad_filter()
    {
        var page = await recorded.LoggedInPageAsync(browser, SessionsPath());
        await Assertions.Expect(page.Locator("table.sessions tbody tr").First).ToBeVisibleAsync();

        // The real capture's web conversations: every row is TCP on port 80, as many sessions as tshark counts conversations.
        const string filter = "tcp and port 80";
        await SearchAsync(page, filter);
        await Assertions.Expect(page.Locator("input.filter")).ToHaveValueAsync(filter);
        var total = long.Parse((await page.Locator("[data-total]").InnerTextAsync()).Replace(",", ""), CultureInfo.InvariantCulture);
        var shown = await ColumnAsync(page, "proto");
        Assert.True(shown.Count > 0 && shown.Count == Math.Min(total, 100), $"{shown.Count} rows of {total}");
        Assert.All(shown, p => Assert.Equal("tcp", p));
        var ports = (await ColumnAsync(page, "sport")).Zip(await ColumnAsync(page, "dport"));
        Assert.All(ports, p => Assert.True(p.First == "80" || p.Second == "80", $"{p.First} → {p.Second}"));
        var tsharkConversations = Tshark.TcpConversations(recorded.Capture, port: 80);
        output.WriteLine($"'{filter}': {total} sessions; tshark -z conv,tcp,tcp.port==80: {tsharkConversations} conversations");
        Assert.Equal(tsharkConversations, total);

        // Sort by bytes: the URL says so, the arrow shows, and the rows come largest first (both directions summed).
        await page.Locator("th a[data-sort='bytes']").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("sort=bytes&dir=desc"));
        await Assertions.Expect(page.Locator("th a[data-sort='bytes']")).ToContainTextAsync("▼");
        var bytes = (await ColumnAsync(page, "bytes")).Select(b => long.Parse(b, CultureInfo.InvariantCulture)).ToList();
        var bothWays = (await ColumnAsync(page, "bytes_src")).Zip(await ColumnAsync(page, "bytes_dst"), (s, d) => long.Parse(s, CultureInfo.InvariantCulture) + long.Parse(d, CultureInfo.InvariantCulture));
        Assert.Equal(bothWays, bytes);
        Assert.Equal(bytes.OrderDescending(), bytes);
        Assert.True(bytes[0] > bytes[^1], "the sessions differ in size");
        Assert.Contains("q=tcp%20and%20port%2080", page.Url);
        await BrowserFixture.ScreenshotAsync(page, "sessions-real-capture-sorted-by-bytes");

        // A bad filter: the message names the word and its position, and no table is shown.
        await SearchAsync(page, "tcp and prot 80");
        var error = page.Locator("p.error[data-filter-error]");
        await Assertions.Expect(error).ToContainTextAsync("'prot' at position 9");
        Assert.Equal(0, await page.Locator("table.sessions").CountAsync());
        output.WriteLine("bad filter message: " + await error.InnerTextAsync());
        await BrowserFixture.ScreenshotAsync(page, "sessions-bad-filter");
    }

    [Fact]
    public async Task A_search_submitted_before_the_page_is_interactive_opens_the_same_search_as_the_browsers_own_get()
    {
        // Without JavaScript the page never gets its circuit: a click on Search is what it is before the circuit is up.
        var page = await recorded.LoggedInPageAsync(browser, SessionsPath("sort=bytes&dir=desc"), javaScript: false);
        await Assertions.Expect(page.Locator("table.sessions tbody tr").First).ToBeVisibleAsync();

        await page.Locator("input.filter").FillAsync("tcp and port 80");
        await page.Locator("form.session-search button[type=submit]").ClickAsync();

        await Assertions.Expect(page.Locator("table.sessions[data-q='tcp and port 80']")).ToBeVisibleAsync();
        Assert.Contains("q=tcp+and+port+80", page.Url);
        Assert.Contains("from=" + Uri.EscapeDataString(recorded.Window.From), page.Url);
        Assert.Contains("sort=bytes&dir=desc", page.Url);
        Assert.All(await ColumnAsync(page, "proto"), p => Assert.Equal("tcp", p));
        var bytes = (await ColumnAsync(page, "bytes")).Select(b => long.Parse(b, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(bytes.OrderDescending(), bytes);
    }

    [Fact]
    public async Task A_sessions_packets_link_downloads_a_pcap_that_tcpdump_reads_as_the_recordings_packets_of_that_session()
    {
        var page = await recorded.LoggedInPageAsync(browser, SessionsPath("q=tcp&sort=packets&dir=desc"));
        var link = page.Locator("table.sessions tbody tr").First.Locator("a.packets-link");
        await Assertions.Expect(link).ToBeVisibleAsync();
        var href = new Uri(new Uri(recorded.Site.BaseUrl), await link.GetAttributeAsync("href"));
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(href.Query);
        var filter = query["filter"].ToString();
        var from = DateTimeOffset.Parse(query["from"].ToString(), CultureInfo.InvariantCulture);
        var to = DateTimeOffset.Parse(query["to"].ToString(), CultureInfo.InvariantCulture);
        Assert.Matches(@"^host \S+ and host \S+ and port \d+$", filter);

        var download = await page.RunAndWaitForDownloadAsync(() => link.ClickAsync());
        var saved = Path.Combine(recorded.Site.DataDirectory, "download.pcap");
        await download.SaveAsAsync(saved);
        Assert.Matches(@"^test-probe-\d{8}T\d{6}Z-\d{8}T\d{6}Z\.pcap$", download.SuggestedFilename);

        // The same filter over every recording file, the packets of the link's window: tcpdump reads the same lines.
        var expected = Directory.GetFiles(recorded.Recording, "*.pcap").Order(StringComparer.Ordinal)
            .SelectMany(f => Tcpdump.Lines(f, filter))
            .Where(l => Tcpdump.Time(l) >= from && Tcpdump.Time(l) < to)
            .ToList();
        var got = Tcpdump.Lines(saved);
        output.WriteLine($"{download.SuggestedFilename}: {got.Count} packets of '{filter}' {from:O}..{to:O}; the recording has {expected.Count}");
        Assert.True(got.Count > 0);
        var firstDifference = expected.Zip(got).FirstOrDefault(p => p.First != p.Second);
        Assert.True(expected.SequenceEqual(got), $"recording: {firstDifference.First}\ndownload:  {firstDifference.Second}");
        Assert.Equal(got.Count, Tshark.Packets(saved));
        var packetsOfSession = long.Parse(await page.Locator("table.sessions tbody tr").First.Locator("td[data-column='packets_src']").InnerTextAsync(), CultureInfo.InvariantCulture)
            + long.Parse(await page.Locator("table.sessions tbody tr").First.Locator("td[data-column='packets_dst']").InnerTextAsync(), CultureInfo.InvariantCulture);
        Assert.True(got.Count >= packetsOfSession, $"{got.Count} packets downloaded, the session has {packetsOfSession}");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => browser.ClosePagesAsync(output);
}

/// <summary>Wireshark's command-line tools (Debian's tshark package) as the oracle.</summary>
public static class Tshark
{
    private static string Run(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000));
        Assert.True(process.ExitCode == 0, $"{tool}: {error.Result}");
        return output.Result;
    }

    /// <summary>TCP conversations (address and port pairs) on a port, as <c>tshark -z conv,tcp</c> lists them.</summary>
    public static long TcpConversations(string capture, int port) =>
        Run("tshark", "-r", capture, "-q", "-z", $"conv,tcp,tcp.port=={port}").Split('\n').Count(l => l.Contains("<->", StringComparison.Ordinal));

    /// <summary>The packet count <c>capinfos</c> reads from a capture file.</summary>
    public static long Packets(string file) =>
        long.Parse(Run("capinfos", "-M", "-c", "-T", "-r", file).Trim().Split('\t')[^1], CultureInfo.InvariantCulture);
}
