using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Monitor.Web.Tests.Support;

namespace Monitor.Web.Tests.Features;

/// <summary>The JSON API through the real host over a real SQLite file holding six hours of 60-second intervals.</summary>
public sealed class ApiTests : IClassFixture<ApiTests.SeededSite>
{
    public static readonly DateTimeOffset Start = new(2026, 11, 20, 6, 0, 0, TimeSpan.Zero);
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(60);
    public const int Intervals = 360;

    public sealed class SeededSite : IAsyncLifetime
    {
        public MonitorSite Site { get; } = new();
        public HttpClient Client { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Client = Site.CreateClient();
            await History.WriteAsync(Site.Store, Start, Start + Step * Intervals, Step);
        }

        public Task DisposeAsync()
        {
            Client.Dispose();
            Site.Dispose();
            return Task.CompletedTask;
        }
    }

    private readonly HttpClient _client;

    public ApiTests(SeededSite seeded) => _client = seeded.Client;

    private static string At(DateTimeOffset t) => Uri.EscapeDataString(t.ToString("O"));

    private async Task<JsonElement> GetJson(string url)
    {
        var response = await _client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    [Fact]
    public async Task Series_gives_the_stored_interval_values_with_their_unit()
    {
        var json = await GetJson($"/api/series?metric=packets&from={At(Start)}&to={At(Start.AddMinutes(30))}");

        Assert.Equal("packets/s", json.GetProperty("unit").GetString());
        var points = json.GetProperty("points");
        Assert.InRange(points.GetArrayLength(), 30, 31);
        var first = points[0];
        Assert.Equal(Start, first.GetProperty("time").GetDateTimeOffset());
        Assert.Equal(History.PacketsPerSecond(Start), first.GetProperty("avg").GetDouble(), 3);
    }

    [Fact]
    public async Task Series_is_downsampled_to_the_points_asked_for_keeping_the_peak()
    {
        var json = await GetJson($"/api/series?metric=packets&from={At(Start)}&to={At(Start + Step * Intervals)}&points=50");

        var points = json.GetProperty("points").EnumerateArray().ToList();
        Assert.InRange(points.Count, 1, 50);
        var peak = Enumerable.Range(0, Intervals).Max(i => History.PacketsPerSecond(Start + Step * i));
        Assert.Equal(peak, points.Max(p => p.GetProperty("max").GetDouble()), 3);
    }

    [Fact]
    public async Task Metrics_list_names_every_core_series()
    {
        var json = await GetJson("/api/series/metrics");

        var names = json.EnumerateArray().Select(m => m.GetProperty("name").GetString()).ToList();
        Assert.Contains("bits", names);
        Assert.Contains("udp.max_weight", names);
        Assert.Contains("protocol.icmp.packets", names);
    }

    [Fact]
    public async Task Reports_give_the_interval_holding_a_time_with_its_neighbours()
    {
        var at = Start.AddMinutes(90).AddSeconds(20);
        var json = await GetJson($"/api/reports?report=talkers&at={At(at)}");

        Assert.Equal("interval", json.GetProperty("span").GetString());
        Assert.Equal(Start.AddMinutes(90), json.GetProperty("from").GetDateTimeOffset());
        Assert.Equal(Start.AddMinutes(91), json.GetProperty("to").GetDateTimeOffset());
        Assert.Equal(Start.AddMinutes(89), json.GetProperty("previous").GetDateTimeOffset());
        Assert.Equal(Start.AddMinutes(91), json.GetProperty("next").GetDateTimeOffset());
        var rows = json.GetProperty("rows");
        Assert.Equal(History.TopTalker, rows[0].GetProperty("ip").GetString());
        var expected = History.Interval(Start.AddMinutes(90), Step).Reports["talkers"][0].Number("bytes");
        Assert.Equal(expected, rows[0].GetProperty("bytes").GetDouble());
    }

    [Fact]
    public async Task Reports_summarize_a_range_by_adding_up_its_intervals()
    {
        var json = await GetJson($"/api/reports?report=talkers&from={At(Start)}&to={At(Start.AddMinutes(10).AddSeconds(-1))}");

        Assert.Equal("range", json.GetProperty("span").GetString());
        var top = json.GetProperty("rows")[0];
        Assert.Equal(History.TopTalker, top.GetProperty("ip").GetString());
        var expected = Enumerable.Range(0, 10).Sum(i => History.Interval(Start.AddMinutes(i), Step).Reports["talkers"][0].Number("bytes"));
        Assert.Equal(expected, top.GetProperty("bytes").GetDouble());
    }

    [Fact]
    public async Task Syn_report_keeps_ourmons_flag_and_worm_mark()
    {
        var json = await GetJson($"/api/reports?report=syn&at={At(Start.AddMinutes(5))}");

        var row = json.GetProperty("rows")[0];
        Assert.Equal(History.Scanner, row.GetProperty("ip").GetString());
        Assert.Equal("W", row.GetProperty("flag").GetString());
        Assert.True(row.GetProperty("worm").GetBoolean());
    }

    [Fact]
    public async Task A_host_shows_its_traffic_over_time_and_the_report_rows_it_is_in()
    {
        var json = await GetJson($"/api/hosts/{History.TopTalker}?from={At(Start)}&to={At(Start.AddHours(1))}");

        Assert.Equal(History.TopTalker, json.GetProperty("ip").GetString());
        var traffic = json.GetProperty("traffic");
        Assert.InRange(traffic.GetArrayLength(), 60, 61);
        Assert.True(traffic[0].GetProperty("bitsSent").GetDouble() > 0);
        Assert.True(json.GetProperty("reports").TryGetProperty("talkers", out var talkers));
        Assert.Equal(History.TopTalker, talkers[0].GetProperty("ip").GetString());
    }

    [Fact]
    public async Task Probes_lists_the_probe_that_wrote_with_its_last_interval()
    {
        var json = await GetJson("/api/probes");

        var probe = json.GetProperty("probes").EnumerateArray().Single(p => p.GetProperty("probe").GetString() == History.Probe);
        Assert.Equal(Start + Step * (Intervals - 1), probe.GetProperty("lastIntervalStart").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("live").ValueKind);
    }

    [Theory]
    [InlineData("/api/series?metric=nope")]
    [InlineData("/api/series")]
    [InlineData("/api/series?metric=packets&from=yesterday")]
    [InlineData("/api/series?metric=packets&from=2026-11-21T00:00:00Z&to=2026-11-20T00:00:00Z")]
    [InlineData("/api/series?metric=packets&from=2000-01-01T00:00:00Z&to=2026-01-01T00:00:00Z")]
    [InlineData("/api/series?metric=packets&points=0")]
    [InlineData("/api/series?metric=packets&points=lots")]
    [InlineData("/api/series?metric=%3Cscript%3Ealert(1)%3C/script%3E")]
    [InlineData("/api/reports?report=nope")]
    [InlineData("/api/reports?report=talkers&at=soon")]
    [InlineData("/api/reports?report=talkers&n=-1")]
    [InlineData("/api/reports?report=talkers&span=week")]
    [InlineData("/api/reports?report=talkers&sort=nope")]
    [InlineData("/api/reports?report=talkers&at=2026-11-20T07:00:00Z&from=2026-11-20T06:00:00Z")]
    [InlineData("/api/hosts/not-an-ip")]
    [InlineData("/api/hosts/999.1.1.1")]
    [InlineData("/api/hosts/192.0.2.0%2F24")]
    [InlineData("/api/hosts/192.0.2.10?from=2026-11-21T00:00:00Z&to=2026-11-20T00:00:00Z")]
    public async Task Bad_parameters_get_400_with_a_message(string url)
    {
        var response = await _client.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task The_openapi_document_describes_every_api()
    {
        var json = await GetJson("/openapi/v1.json");

        var paths = json.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/series", paths);
        Assert.Contains("/api/reports", paths);
        Assert.Contains("/api/hosts/{ip}", paths);
        Assert.Contains("/api/probes", paths);
    }

    [Fact]
    public async Task Health_check_answers_ok()
    {
        Assert.Equal("ok", await _client.GetStringAsync("/healthz"));
    }

    [Theory]
    [InlineData("/graphs/packets", "Packets")]
    [InlineData("/graphs/nope", "unknown metric")]
    [InlineData("/reports/talkers?at=2026-11-20T07:00:10Z", History.TopTalker)]
    [InlineData("/reports/nope", "unknown report")]
    [InlineData("/reports/talkers?from=later", "not a time")]
    [InlineData("/hosts/not-an-ip", "not an IPv4 or IPv6 address")]
    [InlineData("/probes", History.Probe)]
    public async Task Pages_render_data_or_a_clear_message_never_an_error_page(string url, string expected)
    {
        var response = await _client.GetAsync(url);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(expected, html);
    }
}
