namespace Monitor.Web.Components.Charts;

/// <summary>How lines are drawn: plain lines, filled areas, or areas stacked on each other (protocol mix).</summary>
public enum ChartKind { Line, Area, Stacked }

public readonly record struct ChartPoint(DateTimeOffset Time, double? Value);

public sealed record ChartLine(string Name, IReadOnlyList<ChartPoint> Points, string? Color = null);

public readonly record struct ChartBandPoint(DateTimeOffset Time, double Low, double High);

/// <summary>A shaded low–high band behind the lines: the min–max of each bucket, or an expected range.</summary>
public sealed record ChartBand(string Name, IReadOnlyList<ChartBandPoint> Points, string? Color = null);

/// <summary>A highlighted time range (a spike, an alert) with a label on the chart and a tooltip on hover.</summary>
public sealed record ChartRangeAnnotation(
    DateTimeOffset From,
    DateTimeOffset To,
    string Label,
    string Color = "#f59e0b",
    string? Tooltip = null);
