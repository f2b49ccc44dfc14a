using Monitor.Storage.Model.Metrics;

namespace Monitor.Web.Features.Anomalies.Detection;

/// <summary>
/// How spikes are found (configuration section <c>Anomalies</c>). The defaults suit 30-second intervals:
/// a point fails when it lies more than <see cref="Threshold"/> robust deviations above the median of
/// the hour before it, and a spike needs <see cref="FailuresK"/> failing points within
/// <see cref="FailuresW"/> consecutive points (RRDtool's FAILURES).
/// </summary>
public sealed class AnomalyOptions
{
    public const string Section = "Anomalies";

    /// <summary>Run the detector as intervals are stored (the site's hosted service).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The probe's interval; used to ask stores for interval-resolution points.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The short-term window each point is scored against.</summary>
    public TimeSpan ShortTermWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Fewest earlier points in the window before a point is scored at all.</summary>
    public int MinimumWindowPoints { get; set; } = 10;

    /// <summary>Robust z-score above which a point fails.</summary>
    public double Threshold { get; set; } = 6;

    /// <summary>The spread never counts as less than this share of the median (flat series stay quiet).</summary>
    public double RelativeFloor { get; set; } = 0.05;

    /// <summary>
    /// A point this many times above both its baseline and its spread opens a spike on its own, without the
    /// k-of-w rule: a change of orders of magnitude is never left out because it lasted one interval.
    /// </summary>
    public double OutsizedFactor { get; set; } = 100;

    public int FailuresK { get; set; } = 3;
    public int FailuresW { get; set; } = 5;

    /// <summary>Earlier days compared at the same time of day (7 to 14).</summary>
    public int SeasonDays { get; set; } = 7;

    /// <summary>How far from the same time of day an earlier day's spike still counts.</summary>
    public TimeSpan SeasonTolerance { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Earlier days with a spike at that time that make a spike recurring rather than new.</summary>
    public int RecurringMinDays { get; set; } = 2;

    /// <summary>How often the hosted service looks for newly stored intervals.</summary>
    public TimeSpan PollEvery { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Series scored; empty means <see cref="CoreSeries.All"/> (a bound list would add to a non-empty default).</summary>
    public List<string> Series { get; set; } = [];

    public IReadOnlyList<string> EffectiveSeries => Series.Count > 0 ? Series : CoreSeries.All;

    /// <summary>Throws one <see cref="ArgumentException"/> naming every bad setting (see <see cref="Problems"/>).</summary>
    public void Validate()
    {
        var problems = Problems();
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems));
    }

    /// <summary>Every problem with these settings, each naming its key; empty when valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        void Require(bool ok, string message)
        {
            if (!ok) problems.Add($"{Section}: {message}");
        }
        Require(Interval > TimeSpan.Zero, "Interval must be positive");
        Require(ShortTermWindow >= Interval * 4, "ShortTermWindow must hold at least 4 intervals");
        Require(MinimumWindowPoints >= 3, "MinimumWindowPoints must be at least 3");
        Require(Threshold > 0, "Threshold must be positive");
        Require(RelativeFloor >= 0, "RelativeFloor must not be negative");
        Require(FailuresW >= 1 && FailuresK >= 1 && FailuresK <= FailuresW, "FailuresK must be between 1 and FailuresW");
        Require(SeasonDays is >= 1 and <= 14, "SeasonDays must be between 1 and 14");
        Require(SeasonTolerance >= TimeSpan.Zero && SeasonTolerance < TimeSpan.FromHours(12), "SeasonTolerance must be between 0 and 12 hours");
        Require(RecurringMinDays >= 1 && RecurringMinDays <= SeasonDays, "RecurringMinDays must be between 1 and SeasonDays");
        Require(PollEvery > TimeSpan.Zero, "PollEvery must be positive");
        Require(OutsizedFactor > 1, "OutsizedFactor must be more than 1");
        foreach (var s in Series)
            Require(MetricCatalog.Find(s) is not null, $"Series names unknown metric '{s}'");
        return problems;
    }
}
