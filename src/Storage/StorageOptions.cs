namespace Monitor.Storage;

/// <summary>
/// Retention and consolidation of every store (configuration section <c>Storage</c>). The defaults are
/// Ourmon's / RRDtool's: 1-second points 2 days, interval points 2 weeks, 5-minute avg+max 3 months,
/// 1-hour avg+max 2 years. Retention is measured back from the newest data a store holds, so a replayed
/// capture from years ago is kept like live data.
/// </summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    public TimeSpan SecondRetention { get; set; } = TimeSpan.FromDays(2);
    public TimeSpan IntervalRetention { get; set; } = TimeSpan.FromDays(14);
    public TimeSpan FiveMinuteRetention { get; set; } = TimeSpan.FromDays(90);
    public TimeSpan HourRetention { get; set; } = TimeSpan.FromDays(730);
    /// <summary>Per-interval top-N rows; hourly summaries follow FiveMinuteRetention, daily ones HourRetention.</summary>
    public TimeSpan ReportRetention { get; set; } = TimeSpan.FromDays(14);
    public TimeSpan EventRetention { get; set; } = TimeSpan.FromDays(730);
    /// <summary>Rows kept per report in each hourly and daily summary (more than any page shows, so merged tops stay right).</summary>
    public int SummaryRows { get; set; } = 200;
    /// <summary>Points per InfluxDB /write request.</summary>
    public int InfluxBatchSize { get; set; } = 5000;
    public TimeSpan InfluxTimeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>Rows per chunk of an InfluxDB /query answer (every query is chunked, so a long range streams instead of arriving whole).</summary>
    public int InfluxChunkSize { get; set; } = 1000;

    /// <summary>Throws one <see cref="ArgumentException"/> naming every bad setting (see <see cref="Problems"/>).</summary>
    public void Validate()
    {
        var problems = Problems();
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems));
    }

    /// <summary>Every problem with these settings, each naming its key (<c>Storage:…</c>); empty when valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        void Check(TimeSpan value, string name)
        {
            if (value < TimeSpan.FromMinutes(1)) problems.Add($"{Section}:{name} must be at least one minute (is {value})");
        }
        Check(SecondRetention, nameof(SecondRetention));
        Check(IntervalRetention, nameof(IntervalRetention));
        Check(FiveMinuteRetention, nameof(FiveMinuteRetention));
        Check(HourRetention, nameof(HourRetention));
        Check(ReportRetention, nameof(ReportRetention));
        Check(EventRetention, nameof(EventRetention));
        if (ReportRetention >= TimeSpan.FromMinutes(1) && ReportRetention < TimeSpan.FromHours(2))
            problems.Add($"{Section}:{nameof(ReportRetention)} must be at least 2 hours: hourly summaries are made from the raw rows of the hour before (is {ReportRetention})");
        if (SummaryRows < 1) problems.Add($"{Section}:{nameof(SummaryRows)} must be at least 1 (is {SummaryRows})");
        if (InfluxBatchSize < 1) problems.Add($"{Section}:{nameof(InfluxBatchSize)} must be at least 1 (is {InfluxBatchSize})");
        if (InfluxChunkSize < 1) problems.Add($"{Section}:{nameof(InfluxChunkSize)} must be at least 1 (is {InfluxChunkSize})");
        if (InfluxTimeout <= TimeSpan.Zero) problems.Add($"{Section}:{nameof(InfluxTimeout)} must be positive (is {InfluxTimeout})");
        return problems;
    }
}
