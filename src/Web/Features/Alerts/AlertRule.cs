using System.Globalization;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Web.Features.Alerts;

public enum AlertRuleKind
{
    /// <summary>A series (packets, bits, ...) above or below a value.</summary>
    Metric,
    /// <summary>Any row of a report whose field meets the condition (and the extra conditions).</summary>
    Report,
    /// <summary>Capture drops above a percentage of the packets libpcap received.</summary>
    Drops,
    /// <summary>A new (not recurring) spike on a series.</summary>
    Anomaly,
}

public static class Severities
{
    public const string Info = "info";
    public const string Warning = "warning";
    public const string Critical = "critical";
    public static readonly IReadOnlyList<string> All = [Info, Warning, Critical];
}

/// <summary>A comparison of a value against a threshold, as written in a rule (">", ">=", "above", ...).</summary>
public sealed record Comparison(string Symbol)
{
    public static readonly IReadOnlyDictionary<string, string> Aliases = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [">"] = ">", [">="] = ">=", ["<"] = "<", ["<="] = "<=", ["=="] = "==", ["="] = "==", ["!="] = "!=",
        ["above"] = ">", ["below"] = "<", ["at_least"] = ">=", ["at_most"] = "<=",
    };

    public static Comparison? Parse(string? text) =>
        text is not null && Aliases.TryGetValue(text.Trim(), out var symbol) ? new Comparison(symbol) : null;

    public bool Holds(double value, double threshold) => Symbol switch
    {
        ">" => value > threshold,
        ">=" => value >= threshold,
        "<" => value < threshold,
        "<=" => value <= threshold,
        "==" => value == threshold,
        _ => value != threshold,
    };

    public override string ToString() => Symbol;
}

public sealed record FieldCondition(string Field, Comparison Op, double Value)
{
    public bool Holds(ReportRow row) => row[Field] is not null && Op.Holds(row.Number(Field), Value);

    public override string ToString() => $"{Field} {Op} {AlertText.Number(Value)}";
}

/// <summary>A validated rule. Report rules with Field null match every row (blacklist hits).</summary>
public sealed record AlertRule
{
    public required string Name { get; init; }
    public required AlertRuleKind Kind { get; init; }
    public required string Severity { get; init; }
    public string? Metric { get; init; }
    public string? Report { get; init; }
    public FieldCondition? Condition { get; init; }
    public IReadOnlyList<FieldCondition> Where { get; init; } = [];
    public string? Series { get; init; }
    public double Threshold { get; init; }
    public Comparison Op { get; init; } = new(">");
    public int K { get; init; } = 1;
    public int W { get; init; } = 1;
    public TimeSpan CoolDown { get; init; }
    public required IReadOnlyList<string> Recipients { get; init; }
    /// <summary>BPF template for evidence captures, null when the rule captures none.</summary>
    public string? EvidenceFilter { get; init; }

    /// <summary>One line a person reads: what must hold, how often.</summary>
    public string Describe()
    {
        var what = Kind switch
        {
            AlertRuleKind.Metric => $"{Metric} {Op} {AlertText.Number(Threshold)}",
            AlertRuleKind.Drops => $"capture drops > {AlertText.Number(Threshold)} % of received",
            AlertRuleKind.Anomaly => Series is null ? "a new spike on any series" : $"a new spike on {Series}",
            _ when Condition is null => $"any row in report {Report}",
            _ => $"any row of report {Report} with {string.Join(" and ", new[] { Condition }.Concat(Where))}",
        };
        return K == 1 && W == 1 ? what : $"{what} in {K} of {W} intervals";
    }
}

internal static class AlertText
{
    public static string Number(double value) =>
        Math.Abs(value - Math.Round(value)) < 1e-9
            ? Math.Round(value).ToString("#,0", CultureInfo.InvariantCulture)
            : value.ToString("#,0.###", CultureInfo.InvariantCulture);
}
