using Monitor.Web.Features.Anomalies.Detection;
using Monitor.Storage.Model.Metrics;
using Monitor.Web.Components.Charts;
using Monitor.Web.Common;

namespace Monitor.Web.Features.Anomalies;

/// <summary>Turns a series' day analysis into chart lines, the expected band and highlighted spikes.</summary>
public static class DayCharts
{
    public const string NewColor = "#dc2626";
    public const string RecurringColor = "#2563eb";

    /// <summary>Keeps charts under ~2,000 points: 30-second points are paired into minutes (max value, widest band).</summary>
    private const int MaxPoints = 2000;

    public sealed record Chart(string Series, string Title, string Unit, IReadOnlyList<ChartLine> Lines, IReadOnlyList<ChartBand> Bands,
        IReadOnlyList<ChartRangeAnnotation> Annotations);

    public static Chart For(SeriesAnalysis analysis, double threshold)
    {
        var info = MetricCatalog.Find(analysis.Series);
        var points = analysis.Points;
        var group = Math.Max(1, (int)Math.Ceiling(points.Count / (double)MaxPoints));
        var values = new List<ChartPoint>();
        var band = new List<ChartBandPoint>();
        for (var i = 0; i < points.Count; i += group)
        {
            var slice = points.Skip(i).Take(group).ToList();
            values.Add(new ChartPoint(slice[0].Time, slice.Max(p => p.Value)));
            var scored = slice.Where(p => p.Scored).ToList();
            if (scored.Count > 0)
                band.Add(new ChartBandPoint(slice[0].Time, scored.Min(p => p.Lower(threshold)), scored.Max(p => p.Upper(threshold))));
        }
        var unit = info?.Unit ?? "";
        return new Chart(analysis.Series, info?.Title ?? analysis.Series, unit,
            [new ChartLine(info?.Title ?? analysis.Series, values)],
            band.Count == 0 ? [] : [new ChartBand("expected", band, "#94a3b8")],
            analysis.Spikes.Select(s => Annotation(s, unit)).ToList());
    }

    public static ChartRangeAnnotation Annotation(Spike s, string unit) => new(
        s.Start, s.End, s.KindName, s.Kind == SpikeKind.New ? NewColor : RecurringColor, Tooltip(s, unit));

    public static string Tooltip(Spike s, string unit) =>
        $"{s.KindName} spike {s.Start:HH:mm:ss}–{s.End:HH:mm:ss} UTC: peak {Units.Format(s.Peak, unit)} against baseline "
        + $"{Units.Format(s.Baseline, unit)} ({s.Score:0.#} deviations); {s.Reason}";
}
