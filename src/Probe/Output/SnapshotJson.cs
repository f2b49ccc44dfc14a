using System.Text.Json;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Probe.Output;

/// <summary>
/// The JSON Lines form of a closed interval (README, "JSON output"). Names are a contract:
/// probe, start, end, packets, bytes, malformed, protocols, metrics, reports.
/// </summary>
public static class SnapshotJson
{
    public static void Write(Utf8JsonWriter writer, IntervalSnapshot snapshot)
    {
        writer.WriteStartObject();
        writer.WriteString("probe", snapshot.Probe);
        writer.WriteString("start", Format(snapshot.Start));
        writer.WriteString("end", Format(snapshot.End));
        writer.WriteNumber("packets", snapshot.Packets);
        writer.WriteNumber("bytes", snapshot.Bytes);
        writer.WriteNumber("malformed", snapshot.Malformed);
        writer.WriteStartObject("protocols");
        foreach (var (name, count) in snapshot.Protocols)
        {
            writer.WriteStartObject(name);
            writer.WriteNumber("packets", count.Packets);
            writer.WriteNumber("bytes", count.Bytes);
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
        writer.WriteStartObject("metrics");
        foreach (var (name, value) in snapshot.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
            writer.WriteNumber(name, Math.Round(value, 4));
        writer.WriteEndObject();
        writer.WriteStartObject("reports");
        foreach (var (name, rows) in snapshot.Reports)
        {
            writer.WriteStartArray(name);
            foreach (var row in rows) Row.Write(writer, row, Options);
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    public static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString(time.UtcTicks % TimeSpan.TicksPerSecond == 0
            ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static readonly ReportRowJsonConverter Row = new();
    private static readonly JsonSerializerOptions Options = new();
}
