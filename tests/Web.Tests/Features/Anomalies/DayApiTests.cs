using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Monitor.Storage.Model.Metrics;
using Monitor.TestKit.History;

namespace Monitor.Web.Tests.Features.Anomalies;

public sealed class DayApiTests(HistorySite site) : IClassFixture<HistorySite>
{
    private string FloodDay => site.Plan.DayOf(site.Plan.Flood).ToString("yyyy-MM-dd");

    [Fact]
    public async Task Recomputing_the_flood_day_returns_the_flood_as_new_spikes_and_stores_them_once()
    {
        using var client = site.Factory.CreateClient();
        using var first = await client.PostAsync($"/api/days/{FloodDay}/recompute?probe=history", null);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var json = await first.Content.ReadFromJsonAsync<JsonElement>();
        var spikes = json.GetProperty("spikes").EnumerateArray().ToList();
        var flood = spikes.Single(s => s.GetProperty("series").GetString() == MetricCatalog.UdpMaxWeight);
        Assert.Equal("new", flood.GetProperty("kind").GetString());
        Assert.Equal("new: not seen at this time on the last 7 days", flood.GetProperty("reason").GetString());
        Assert.Contains(spikes, s => s.GetProperty("series").GetString() == MetricCatalog.Bits && s.GetProperty("kind").GetString() == "recurring");

        using var second = await client.PostAsync($"/api/days/{FloodDay}/recompute", null);
        var again = (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("spikes").EnumerateArray()
            .Select(s => s.GetProperty("id").GetString()).Order().ToList();
        Assert.Equal(spikes.Select(s => s.GetProperty("id").GetString()).Order().ToList(), again);
    }

    [Theory]
    [InlineData("/api/days/2026-13-45/spikes", "'2026-13-45' is not a day")]
    [InlineData("/api/days/yesterday/spikes", "'yesterday' is not a day")]
    [InlineData("/api/spikes/not-a-spike", "is not a spike id")]
    public async Task Bad_days_and_spike_ids_get_400_with_a_message(string url, string message)
    {
        using var client = site.Factory.CreateClient();
        using var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_flood_spike_drill_down_has_the_flood_source_on_top_of_flows_and_udp_senders()
    {
        using var client = site.Factory.CreateClient();
        var day = await client.GetFromJsonAsync<JsonElement>($"/api/days/{FloodDay}/spikes?probe=history");
        var id = day.GetProperty("spikes").EnumerateArray()
            .Single(s => s.GetProperty("series").GetString() == MetricCatalog.ProtocolPackets("udp")).GetProperty("id").GetString()!;

        foreach (var sort in new[] { "packets", "bytes", "load", "rate" })
        {
            var drill = await client.GetFromJsonAsync<JsonElement>($"/api/spikes/{Uri.EscapeDataString(id)}?sort={sort}");
            var top = drill.GetProperty("flows")[0];
            Assert.Equal(HistoryGenerator.FloodSource, top.GetProperty("src").GetString());
        }
        var d = await client.GetFromJsonAsync<JsonElement>($"/api/spikes/{Uri.EscapeDataString(id)}");
        var reports = d.GetProperty("reports").EnumerateArray().ToDictionary(r => r.GetProperty("report").GetString()!);
        var udpTop = reports["udp"].GetProperty("rows")[0];
        Assert.Equal(HistoryGenerator.FloodSource, udpTop.GetProperty("key").GetString());
        Assert.Equal(0, udpTop.GetProperty("hourBefore").GetDouble());
        Assert.Equal(HistoryGenerator.FloodSource, reports["talkers"].GetProperty("rows")[0].GetProperty("key").GetString());
        Assert.StartsWith("/reports/udp?from=", reports["udp"].GetProperty("link").GetString());
    }
}
