namespace Monitor.Probe.Reports;

/// <summary>Settings every report table reads; bound from the CLI and the probe's configuration.</summary>
public sealed record ReportOptions
{
    /// <summary>Length of every top-N list (--top, 1..100000).</summary>
    public int Top { get; init; } = 10;
}
