using System.Globalization;
using System.Text;

namespace Monitor.Storage.Influx;

/// <summary>Quoting for InfluxQL statements: identifiers in double quotes, strings in single quotes, times as epoch nanoseconds.</summary>
public static class InfluxQl
{
    public static string Identifier(string name)
    {
        var text = new StringBuilder(name.Length + 2).Append('"');
        foreach (var c in name)
        {
            if (c is '"' or '\\') text.Append('\\');
            text.Append(c);
        }
        return text.Append('"').ToString();
    }

    public static string Literal(string value)
    {
        var text = new StringBuilder(value.Length + 2).Append('\'');
        foreach (var c in value)
        {
            if (c is '\'' or '\\') text.Append('\\');
            text.Append(c);
        }
        return text.Append('\'').ToString();
    }

    public static string Time(long unixMilliseconds) =>
        (unixMilliseconds * 1_000_000).ToString(CultureInfo.InvariantCulture);

    /// <summary>"AND (probe='a' OR probe='b')", or nothing for all probes.</summary>
    public static string ProbeClause(IReadOnlyList<string>? probes) =>
        probes is null ? "" : " AND (" + string.Join(" OR ", probes.Select(p => $"\"probe\"={Literal(p)}")) + ")";
}
