using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Storage.Consolidation;

/// <summary>The series values a store keeps for one interval: the snapshot's metrics, plus the core
/// rates derived from its counts when the probe did not put them in (so packets/s and bits/s always exist).</summary>
internal static class SnapshotMetrics
{
    public static IReadOnlyDictionary<string, double> Of(IntervalSnapshot snapshot)
    {
        var seconds = snapshot.Duration.TotalSeconds;
        if (seconds <= 0) return snapshot.Metrics;
        var values = new Dictionary<string, double>(snapshot.Metrics, StringComparer.Ordinal);
        values.TryAdd(MetricCatalog.Packets, snapshot.Packets / seconds);
        values.TryAdd(MetricCatalog.Bits, snapshot.Bytes * 8 / seconds);
        values.TryAdd(MetricCatalog.Malformed, snapshot.Malformed / seconds);
        foreach (var (protocol, count) in snapshot.Protocols)
        {
            values.TryAdd(MetricCatalog.ProtocolPackets(protocol), count.Packets / seconds);
            values.TryAdd(MetricCatalog.ProtocolBits(protocol), count.Bytes * 8 / seconds);
        }
        foreach (var key in values.Where(kv => !double.IsFinite(kv.Value)).Select(kv => kv.Key).ToList())
            values.Remove(key);
        return values;
    }
}
