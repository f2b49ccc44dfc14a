using System.Globalization;
using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Web.Features.Anomalies.Detection;

public enum SpikeKind
{
    /// <summary>Not seen at this time of day on enough earlier days.</summary>
    New,
    /// <summary>Seen at about this time of day on several earlier days.</summary>
    Recurring,
}

/// <summary>How a spike compares with the same time of day on earlier days.</summary>
public sealed record SeasonalEvidence(int DaysCompared, int DaysSeen, double? Expected, double? Scale)
{
    public static readonly SeasonalEvidence None = new(0, 0, null, null);
}

/// <summary>
/// A spike on one series of one probe. Its Id is stable (probe, series, start) so recomputing a day or
/// seeing it again as data arrives rewrites the same event instead of adding one.
/// </summary>
public sealed record Spike(
    string Probe,
    string Series,
    DateTimeOffset Start,
    DateTimeOffset End,
    DateTimeOffset PeakTime,
    double Peak,
    double Baseline,
    double Score,
    SpikeKind Kind,
    SeasonalEvidence Season,
    bool Open)
{
    public string Id => IdFor(Probe, Series, Start);

    public static string IdFor(string probe, string series, DateTimeOffset start) =>
        $"spike:{probe}:{series}:{start.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}";

    public string KindName => Kind == SpikeKind.New ? "new" : "recurring";

    /// <summary>(Peak − seasonal expected) / seasonal spread; null when there are no earlier days.</summary>
    public double? SeasonalScore =>
        Season.Expected is { } e && Season.Scale is { } s && s > 0 ? (Peak - e) / s : null;

    /// <summary>Why the spike is new or recurring, in words an analyst reads in a tooltip.</summary>
    public string Reason
    {
        get
        {
            var (seen, compared) = (Season.DaysSeen, Season.DaysCompared);
            if (Kind == SpikeKind.Recurring) return $"repeats daily, {seen} of the last {compared} days";
            if (compared == 0) return "new: no earlier days to compare";
            return seen == 0
                ? $"new: not seen at this time on the last {compared} days"
                : $"new: seen at this time on only {seen} of the last {compared} days";
        }
    }

    public string Title => MetricCatalog.Find(Series)?.Title ?? Series;

    public MonitorEvent ToEvent()
    {
        var details = new Dictionary<string, string>
        {
            ["series"] = Series,
            ["start"] = Iso(Start),
            ["end"] = Iso(End),
            ["peak"] = Num(Peak),
            ["peak_time"] = Iso(PeakTime),
            ["baseline"] = Num(Baseline),
            ["score"] = Num(Score),
            ["kind"] = KindName,
            ["reason"] = Reason,
            ["days_seen"] = Season.DaysSeen.ToString(CultureInfo.InvariantCulture),
            ["days_compared"] = Season.DaysCompared.ToString(CultureInfo.InvariantCulture),
            ["open"] = Open ? "true" : "false",
        };
        if (Season.Expected is { } expected) details["seasonal_expected"] = Num(expected);
        if (SeasonalScore is { } ss) details["seasonal_score"] = Num(ss);
        return new MonitorEvent
        {
            Id = Id,
            Probe = Probe,
            Time = Start,
            End = End,
            Kind = EventKinds.Spike,
            Severity = Kind == SpikeKind.New ? "warning" : "info",
            Message = $"{Title}: {KindName} spike, peak {Num(Peak)} against baseline {Num(Baseline)} ({Reason})",
            Details = details,
        };
    }

    /// <summary>Reads a spike back from its stored event; null when the event is not a readable spike.</summary>
    public static Spike? FromEvent(MonitorEvent e)
    {
        if (e.Kind != EventKinds.Spike) return null;
        var d = e.Details;
        if (!d.TryGetValue("series", out var series)) return null;
        double Get(string key) => d.TryGetValue(key, out var v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ? x : double.NaN;
        int GetInt(string key) => d.TryGetValue(key, out var v) && int.TryParse(v, CultureInfo.InvariantCulture, out var x) ? x : 0;
        DateTimeOffset GetTime(string key, DateTimeOffset fallback) =>
            d.TryGetValue(key, out var v) && DateTimeOffset.TryParse(v, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : fallback;
        double? Optional(string key) => double.IsNaN(Get(key)) ? null : Get(key);

        var expected = Optional("seasonal_expected");
        var seasonalScore = Optional("seasonal_score");
        var peak = Get("peak");
        double? scale = expected is { } ex && seasonalScore is { } sc && sc != 0 ? (peak - ex) / sc : null;
        return new Spike(
            e.Probe, series, GetTime("start", e.Time), GetTime("end", e.End ?? e.Time), GetTime("peak_time", e.Time),
            peak, Get("baseline"), Get("score"),
            d.TryGetValue("kind", out var k) && k == "recurring" ? SpikeKind.Recurring : SpikeKind.New,
            new SeasonalEvidence(GetInt("days_compared"), GetInt("days_seen"), expected, scale),
            d.TryGetValue("open", out var o) && o == "true");
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Num(double v) => Math.Round(v, 3).ToString("R", CultureInfo.InvariantCulture);
}
