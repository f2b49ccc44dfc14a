using System.Net;
using System.Text.RegularExpressions;
using Monitor.Web.Tests.Support;

namespace Monitor.Web.Tests.Features;

/// <summary>
/// The pages as the server renders them (the HTML a browser gets before the circuit starts) over a real
/// SQLite file holding two probes' intervals from 2024, far from the wall clock, as a store the CLI wrote.
/// </summary>
public sealed class PagesOverStoreTests : IClassFixture<PagesOverStoreTests.StoredSite>
{
    public static readonly DateTimeOffset Start = new(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly TimeSpan Step = TimeSpan.FromMinutes(1);
    public static readonly DateTimeOffset End = Start.AddHours(3);

    public sealed class StoredSite : IAsyncLifetime
    {
        public MonitorSite Site { get; } = new();

        public async Task InitializeAsync()
        {
            await History.WriteAsync(Site.Store, Start, End, Step);
            await History.WriteAsync(Site.Store, Start, End - Step * 30, Step, probe: "branch");
            await Site.Store.WriteSecondsAsync(History.Seconds(End - TimeSpan.FromMinutes(3), 120));
        }

        public Task DisposeAsync()
        {
            Site.Dispose();
            return Task.CompletedTask;
        }
    }

    private readonly MonitorSite _site;

    public PagesOverStoreTests(StoredSite stored) => _site = stored.Site;

    private async Task<string> PageAsync(string url)
    {
        using var client = _site.CreateClient();
        var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {body}");
        return WebUtility.HtmlDecode(body);
    }

    private static string At(DateTimeOffset t) => Uri.EscapeDataString(t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"));

    [Fact]
    public async Task The_dashboard_over_a_store_with_nothing_live_shows_the_last_stored_window_with_a_notice()
    {
        var html = await PageAsync("/");

        Assert.Contains("data-stale=\"true\"", html);
        Assert.Contains("up to 2024-03-01T03:00:00Z", html);
        Assert.DoesNotContain("No interval has closed yet", html);
        // The newest stored interval's talkers, their host links over that interval and the probe that wrote it.
        Assert.Contains($"hosts/{History.TopTalker}?from=2024-03-01T02%3A59%3A00Z&to=2024-03-01T03%3A00%3A00Z&probe={History.Probe}", html);
        Assert.Contains("data-column=\"percent_of_total\"", html);
    }

    [Fact]
    public async Task Report_rows_link_their_hosts_over_the_reports_own_interval()
    {
        var at = Start.AddMinutes(90).AddSeconds(10);
        var html = await PageAsync($"/reports/syn?at={At(at)}");

        Assert.Contains($"hosts/{History.Scanner}?from=2024-03-01T01%3A30%3A00Z&to=2024-03-01T01%3A31%3A00Z", html);
    }

    [Fact]
    public async Task A_range_report_links_its_hosts_over_that_range_and_the_probe_shown()
    {
        var html = await PageAsync($"/reports/talkers?from={At(Start)}&to={At(Start.AddHours(1))}&probe=branch");

        Assert.Contains($"hosts/{History.TopTalker}?from=2024-03-01T00%3A00%3A00Z&to=2024-03-01T01%3A00%3A00Z&probe=branch", html);
    }

    [Fact]
    public async Task The_host_page_links_its_rows_over_its_own_window_and_shows_a_loading_indicator_first()
    {
        var html = await PageAsync($"/hosts/{History.TopTalker}?from={At(Start)}&to={At(Start.AddHours(2))}");

        // Streamed: the indicator goes out at once, the rows follow in the same response when the store answered.
        Assert.Matches(new Regex("data-loading=\"host\"[^<]*>Loading " + Regex.Escape(History.TopTalker)), html);
        Assert.Contains($"hosts/{History.TopTalker}?from=2024-03-01T00%3A00%3A00Z&to=2024-03-01T02%3A00%3A00Z", html);
    }

    [Fact]
    public async Task The_host_page_without_a_range_opens_on_the_hosts_newest_data_not_the_wall_clock()
    {
        var html = await PageAsync($"/hosts/{History.TopTalker}");

        Assert.Contains("2024-03-01T03:00:00Z, around this host's newest stored data", html);
        Assert.DoesNotContain("is in no stored report row in this range", html);
    }

    [Theory]
    [InlineData("/graphs/packets")]
    [InlineData("/reports/talkers")]
    [InlineData("/hosts/192.0.2.10")]
    public async Task Pages_offer_a_probe_picker_when_the_store_has_several_probes(string url)
    {
        var html = await PageAsync(url);

        var picker = Regex.Match(html, "<nav class=\"probe-picker\".*?</nav>", RegexOptions.Singleline);
        Assert.True(picker.Success, $"no probe picker on {url}");
        Assert.Contains("data-probe=\"branch\"", picker.Value);
        Assert.Contains("probe=branch", picker.Value);
        Assert.Contains($"data-probe=\"{History.Probe}\"", picker.Value);
    }

    [Fact]
    public async Task The_probes_page_says_its_packets_are_the_last_intervals_count()
    {
        var html = await PageAsync("/probes");

        Assert.Contains("Packets in the last interval", html);
        Assert.Contains("class=\"csv-export\"", html);
    }

    [Fact]
    public async Task The_alerts_page_tables_look_like_the_rest_and_export_as_csv()
    {
        var html = await PageAsync("/alerts");

        Assert.Contains("class=\"report-table outbox\"", html);
        Assert.Contains("data-csv=\"outbox\"", html);
    }
}
