using System.Net.Http.Json;
using System.Text.Json;
using Monitor.Web.Tests.Support;

namespace Monitor.Web.Tests.Features.Series;

/// <summary>A store holding captures from different years: each probe's graphs are drawn from that probe's own tiers.</summary>
public sealed class ProbeResolutionTests : IDisposable
{
    private static readonly DateTimeOffset OldStart = new(2023, 5, 10, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset NewStart = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(1);
    private readonly MonitorSite _site = new();

    public void Dispose() => _site.Dispose();

    [Fact]
    public async Task An_older_probes_series_keeps_its_interval_resolution_next_to_a_newer_probe()
    {
        await History.WriteAsync(_site.Store, OldStart, OldStart.AddHours(6), Step, probe: "capture-2023");
        await History.WriteAsync(_site.Store, NewStart, NewStart.AddHours(6), Step, probe: "capture-2026");
        using var client = _site.CreateClient();
        string Url(string probe, DateTimeOffset from) =>
            $"/api/series?metric=packets&probe={probe}&from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(from.AddHours(2).ToString("O"))}";

        var older = await client.GetFromJsonAsync<JsonElement>(Url("capture-2023", OldStart));
        var newer = await client.GetFromJsonAsync<JsonElement>(Url("capture-2026", NewStart));

        Assert.Equal(60, newer.GetProperty("resolutionSeconds").GetDouble());
        Assert.Equal(60, older.GetProperty("resolutionSeconds").GetDouble());
        Assert.InRange(older.GetProperty("points").GetArrayLength(), 120, 121);
    }
}
