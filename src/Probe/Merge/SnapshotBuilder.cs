using Monitor.Probe.Bpf;
using Monitor.Probe.Counting;
using Monitor.Probe.Reports;
using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Probe.Merge;

/// <summary>Turns summed counters into the second points and interval snapshots every sink receives.</summary>
/// <param name="takeRecordDropped">The recording's packets lost since it was last asked, when one runs.</param>
internal sealed class SnapshotBuilder(string probe, BpfGraphSet bpf, Func<long>? takeRecordDropped = null)
{
    // Series names made once: a day has 86,400 second points and 2,880 intervals to name.
    private static readonly string[] ProtocolPacketNames = [.. MetricCatalog.Protocols.Select(MetricCatalog.ProtocolPackets)];
    private static readonly string[] ProtocolBitNames = [.. MetricCatalog.Protocols.Select(MetricCatalog.ProtocolBits)];
    private static readonly string[] L3Names = [.. CounterSlots.L3Names.Select(n => $"l3.{n}")];
    private static readonly string[] SizeNames = [.. CounterSlots.SizeNames.Select(n => $"size.{n}")];
    private static readonly string[] CastNames = [.. CounterSlots.CastNames.Select(n => $"cast.{n}")];

    // The second points' series, in the order their dictionaries used to be filled.
    private static readonly SecondMetrics.Names SecondNames = new(
    [
        MetricCatalog.Packets, MetricCatalog.Bits, MetricCatalog.Drops, MetricCatalog.IcmpErrors, MetricCatalog.Syn, MetricCatalog.NewFlows,
        .. ProtocolPacketNames.Zip(ProtocolBitNames).SelectMany(pair => new[] { pair.First, pair.Second }),
    ]);

    public SecondPoint BuildSecond(DateTimeOffset time, long[] c, SourceCounts source)
    {
        var values = new double[SecondNames.Ordered.Length];
        values[0] = c[CounterSlots.Packets];
        values[1] = c[CounterSlots.Bytes] * 8.0;
        values[2] = source.Dropped;
        values[3] = c[CounterSlots.IcmpErrors];
        values[4] = c[CounterSlots.Syn];
        values[5] = c[CounterSlots.NewFlows];
        for (var p = 0; p < ProtocolPacketNames.Length; p++)
        {
            values[6 + 2 * p] = c[CounterSlots.ProtocolPackets + p];
            values[7 + 2 * p] = c[CounterSlots.ProtocolBytes + p] * 8.0;
        }
        return new SecondPoint(probe, time, new SecondMetrics(SecondNames, values));
    }

    public IntervalSnapshot BuildInterval(
        IntervalBounds bounds, long[] c, SourceCounts source, ReportResults reports, IReadOnlyList<SecondPoint> seconds)
    {
        var duration = (bounds.End - bounds.Start).TotalSeconds;
        double Rate(double value) => value / duration;
        var metrics = new Dictionary<string, double>(64)
        {
            [MetricCatalog.Packets] = Rate(c[CounterSlots.Packets]),
            [MetricCatalog.Bits] = Rate(c[CounterSlots.Bytes] * 8.0),
            [MetricCatalog.Malformed] = Rate(c[CounterSlots.Malformed]),
            [MetricCatalog.Drops] = Rate(source.Dropped),
            [MetricCatalog.InterfaceDrops] = Rate(source.InterfaceDropped),
            [MetricCatalog.Received] = Rate(source.Received),
            [MetricCatalog.QueueFull] = Rate(source.QueueFull),
            [MetricCatalog.IcmpErrors] = Rate(c[CounterSlots.IcmpErrors]),
            [MetricCatalog.Syn] = Rate(c[CounterSlots.Syn]),
        };
        var protocols = new Dictionary<string, TrafficCount>(MetricCatalog.Protocols.Count);
        for (var p = 0; p < MetricCatalog.Protocols.Count; p++)
        {
            var name = MetricCatalog.Protocols[p];
            var packets = c[CounterSlots.ProtocolPackets + p];
            var bytes = c[CounterSlots.ProtocolBytes + p];
            protocols[name] = new TrafficCount(packets, bytes);
            metrics[ProtocolPacketNames[p]] = Rate(packets);
            metrics[ProtocolBitNames[p]] = Rate(bytes * 8.0);
        }
        for (var i = 0; i < L3Names.Length; i++) metrics[L3Names[i]] = Rate(c[CounterSlots.L3 + i]);
        for (var i = 0; i < SizeNames.Length; i++) metrics[SizeNames[i]] = Rate(c[CounterSlots.Size + i]);
        for (var i = 0; i < CastNames.Length; i++) metrics[CastNames[i]] = Rate(c[CounterSlots.Cast + i]);
        for (var i = 0; i < bpf.SlotCount; i++)
            metrics[bpf.SeriesNames[i]] = Rate(c[CounterSlots.Fixed + i]);
        // Packets the recording lost since the last interval (taken as the interval closes).
        if (takeRecordDropped is not null) metrics[MetricCatalog.RecordDropped] = Rate(takeRecordDropped());
        // The reports' own definitions of shared series (syn, icmp.errors, new_flows, ...) win.
        foreach (var (name, value) in reports.Metrics) metrics[name] = value;

        return new IntervalSnapshot
        {
            Probe = probe,
            Start = bounds.Start,
            End = bounds.End,
            Packets = c[CounterSlots.Packets],
            Bytes = c[CounterSlots.Bytes],
            Malformed = c[CounterSlots.Malformed],
            Protocols = protocols,
            Metrics = metrics,
            Reports = reports.Reports,
            Seconds = seconds,
        };
    }
}
