using Monitor.Web.Features.Anomalies.Detection;
using Monitor.Web.Common;

namespace Monitor.Web.Features.Anomalies;

/// <summary>A spike as /api/days and /api/spikes give it.</summary>
public sealed record SpikeDto(
    string Id, string Probe, string Series, string Start, string End, string PeakTime, double Peak, double Baseline,
    double Score, string Kind, string Reason, int DaysSeen, int DaysCompared, double? SeasonalExpected, double? SeasonalScore,
    bool Open, string Link)
{
    public static SpikeDto From(Spike s) => new(
        s.Id, s.Probe, s.Series, TimeRange.Format(s.Start), TimeRange.Format(s.End), TimeRange.Format(s.PeakTime),
        Math.Round(s.Peak, 3), Math.Round(s.Baseline, 3), Math.Round(s.Score, 2), s.KindName, s.Reason,
        s.Season.DaysSeen, s.Season.DaysCompared, s.Season.Expected is { } e ? Math.Round(e, 3) : null,
        s.SeasonalScore is { } z ? Math.Round(z, 2) : null, s.Open, SpikeLinks.DrillDown(s));
}

public sealed record DaySpikes(string Day, string? Probe, IReadOnlyList<SpikeDto> Spikes)
{
    /// <summary>The day's month's days with a new spike (yyyy-MM-dd), as the day page's calendar shows them.</summary>
    public IReadOnlyList<string>? NewSpikeDays { get; init; }
}

public sealed record SpikeDrillDownDto(
    SpikeDto Spike, string From, string To, string HourBeforeFrom, string FlowSort,
    IReadOnlyList<FlowRow> Flows, IReadOnlyList<ComparedReport> Reports)
{
    public static SpikeDrillDownDto Of(SpikeDrillDown d) => new(
        SpikeDto.From(d.Spike), TimeRange.Format(d.Window.From), TimeRange.Format(d.Window.To),
        TimeRange.Format(d.HourBefore.From), d.FlowSort, d.Flows, d.Reports);
}

/// <summary>The day and drill-down pages' URLs.</summary>
public static class SpikeLinks
{
    public static string Day(DateOnly day, string? probe) =>
        $"/days/{DayViewService.FormatDay(day)}" + (string.IsNullOrEmpty(probe) ? "" : $"?probe={Uri.EscapeDataString(probe)}");

    public static string DrillDown(Spike s, string? sort = null) =>
        $"/days/{DayViewService.FormatDay(DateOnly.FromDateTime(s.Start.UtcDateTime))}/spikes/{Uri.EscapeDataString(s.Id)}"
        + (string.IsNullOrEmpty(sort) ? "" : $"?sort={sort}");
}
