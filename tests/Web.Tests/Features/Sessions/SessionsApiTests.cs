using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Storage.Sessions;
using Monitor.Web.Tests.Support;

namespace Monitor.Web.Tests.Features.Sessions;

/// <summary>The sessions API and page through the real host over a real DuckDB file.</summary>
public sealed class SessionsApiTests : IClassFixture<SessionsApiTests.SeededSite>
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 6, 0, 0, TimeSpan.Zero);
    private const string Window = "from=2026-11-20T06:00:00Z&to=2026-11-20T07:00:00Z";

    public sealed class SeededSite : IAsyncLifetime
    {
        public MonitorSite Site { get; } = new(settings: new Dictionary<string, string?> { ["Probe:HomeNet:0"] = "10.0.0.0/8" });
        public HttpClient Client { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Client = Site.CreateClient();
            var store = Site.Services.GetRequiredService<ISessionStore>();
            // 250 web sessions from one home host, one long download, one rejected scan, one ping.
            var records = Enumerable.Range(0, 250).Select(i => Record("10.0.0.5", (ushort)(30000 + i), "203.0.113.66", 80, 6, i * 10, i * 10 + 2, 5, 500, 5, 5000 + i))
                .Append(Record("10.0.0.7", 40000, "198.51.100.20", 443, 6, 100, 3000, 1000, 50_000, 3000, 4_000_000))
                .Append(Record("198.51.100.9", 50000, "10.0.0.5", 22, 6, 200, 200, 1, 60, 0, 0, SessionState.S0))
                .Append(Record("10.0.0.8", 8, "192.0.2.1", 0, 1, 300, 310, 10, 10_000, 10, 980))
                .ToList();
            await store.WriteAsync("test-probe", records);
        }

        public Task DisposeAsync()
        {
            Client.Dispose();
            Site.Dispose();
            return Task.CompletedTask;
        }
    }

    private static SessionRecord Record(string src, ushort sport, string dst, ushort dport, byte proto, double start, double end,
        long ps, long bs, long pd, long bd, SessionState state = SessionState.SF) =>
        new(T0.AddSeconds(start), T0.AddSeconds(end), proto, SessionAddress.Parse(src), sport, SessionAddress.Parse(dst), dport,
            ps, bs, pd, bd, 0x1B, 0x1B, state, (byte)(proto == 1 ? 8 : 0), 0, 0, SessionEnd.Closed);

    private readonly HttpClient _client;

    public SessionsApiTests(SeededSite seeded) => _client = seeded.Client;

    private async Task<JsonElement> GetJson(string url)
    {
        var response = await _client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    [Fact]
    public async Task A_filter_gives_the_matching_sessions_with_the_json_lines_field_names()
    {
        var json = await GetJson($"/api/sessions?q={Uri.EscapeDataString("host 10.0.0.5 and port 22")}&{Window}");
        Assert.Equal(1, json.GetProperty("total").GetInt64());
        var s = json.GetProperty("sessions")[0];
        Assert.Equal("198.51.100.9", s.GetProperty("src").GetString());
        Assert.Equal(22, s.GetProperty("dport").GetInt32());
        Assert.Equal("S0", s.GetProperty("state").GetString());
        Assert.Equal(60, s.GetProperty("bytes_src").GetInt64());
        Assert.StartsWith("1:", s.GetProperty("community_id").GetString());
    }

    [Fact]
    public async Task Sessions_sort_and_page_and_say_the_total()
    {
        var json = await GetJson($"/api/sessions?{Window}&sort=bytes&dir=desc&size=10&page=2");
        Assert.Equal(253, json.GetProperty("total").GetInt64());
        var bytes = json.GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("bytes_src").GetInt64() + s.GetProperty("bytes_dst").GetInt64()).ToList();
        Assert.Equal(10, bytes.Count);
        Assert.Equal(bytes.OrderDescending(), bytes);
        var top = await GetJson($"/api/sessions?{Window}&sort=bytes&dir=desc&size=1");
        Assert.Equal("198.51.100.20", top.GetProperty("sessions")[0].GetProperty("dst").GetString());
    }

    [Fact]
    public async Task Csv_and_json_lines_exports_hold_the_whole_result_not_one_page()
    {
        var csv = (await _client.GetStringAsync($"/api/sessions?q=dst+port+80&{Window}&size=5&format=csv")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("start,end,duration,proto,src,sport,dst,dport", csv[0]);
        Assert.Equal(251, csv.Length);
        var lines = (await _client.GetStringAsync($"/api/sessions?q=dst+port+80&{Window}&format=jsonl")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(250, lines.Length);
        Assert.All(lines, l => Assert.Equal(80, JsonDocument.Parse(l).RootElement.GetProperty("dport").GetInt32()));
    }

    [Theory]
    [InlineData("host 10.0.0.999", "'10.0.0.999' at position 6")]
    [InlineData("tcp and prot 80", "'prot' at position 9")]
    public async Task A_bad_filter_gets_400_naming_the_word(string filter, string expected)
    {
        var response = await _client.GetAsync($"/api/sessions?q={Uri.EscapeDataString(filter)}&{Window}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(expected, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Saved_searches_split_lan_from_wan_by_the_home_network()
    {
        var down = await GetJson($"/api/sessions/reports/wan-to-lan?{Window}");
        var first = down.GetProperty("rows")[0];
        Assert.Equal("10.0.0.7", first[0].GetString());
        Assert.Equal("tcp/443", first[1].GetString());
        Assert.Equal(4_000_000, first[2].GetInt64());
        var suspect = await GetJson($"/api/sessions/reports/suspect-icmp?{Window}");
        Assert.Equal("10.0.0.8", suspect.GetProperty("rows")[0][0].GetString());
    }

    [Theory]
    [InlineData("/sessions?q=host+10.0.0.7&" + Window, "198.51.100.20")]
    [InlineData("/sessions?q=host+nope&" + Window, "&#x27;nope&#x27; at position 6")]
    [InlineData("/sessions?report=icmp-lan-to-wan&" + Window, "192.0.2.1")]
    public async Task The_sessions_page_shows_the_search_or_a_message_pointing_at_the_word(string url, string expected)
    {
        var response = await _client.GetAsync(url);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(expected, html);
    }
}
