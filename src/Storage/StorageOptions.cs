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

    public void Validate()
    {
        Check(SecondRetention, nameof(SecondRetention));
        Check(IntervalRetention, nameof(IntervalRetention));
        Check(FiveMinuteRetention, nameof(FiveMinuteRetention));
        Check(HourRetention, nameof(HourRetention));
        Check(ReportRetention, nameof(ReportRetention));
        Check(EventRetention, nameof(EventRetention));
        if (ReportRetention < TimeSpan.FromHours(2))
            throw new ArgumentException($"{Section}:{nameof(ReportRetention)} must be at least 2 hours: hourly summaries are made from the raw rows of the hour before (is {ReportRetention})");
        if (SummaryRows < 1) throw new ArgumentException($"{Section}:{nameof(SummaryRows)} must be at least 1");
        if (InfluxBatchSize < 1) throw new ArgumentException($"{Section}:{nameof(InfluxBatchSize)} must be at least 1");
        if (InfluxChunkSize < 1) throw new ArgumentException($"{Section}:{nameof(InfluxChunkSize)} must be at least 1");
        if (InfluxTimeout <= TimeSpan.Zero) throw new ArgumentException($"{Section}:{nameof(InfluxTimeout)} must be positive");
    }

    private static void Check(TimeSpan value, string name)
    {
        if (value < TimeSpan.FromMinutes(1))
            throw new ArgumentException($"{Section}:{name} must be at least one minute (is {value})");
    }
}
