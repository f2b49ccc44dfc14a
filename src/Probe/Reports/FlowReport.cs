using System.Runtime.CompilerServices;
using Monitor.Probe.Decode;
using Monitor.Probe.Reports.Tables;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Probe.Reports;

/// <summary>
/// One-way flows (src, dst, IP protocol, ports; ICMP type and code in the ports) by bytes, and the
/// new-flow count: first sightings of a flow key in the interval (Ourmon's hash-insert rate).
/// </summary>
internal sealed class FlowReport(int capacity)
{
    internal struct FlowCounts : ITableValue<FlowCounts>
    {
        public long Packets, Bytes;

        public readonly long Rank => Bytes;

        public void Add(in FlowCounts o)
        {
            Packets += o.Packets;
            Bytes += o.Bytes;
        }
    }

    private readonly BoundedTable<FlowKey, FlowCounts> _table = new(capacity);

    /// <summary>Keys inserted this interval. Exact below capacity; beyond it a folded flow that comes back counts again.</summary>
    public long NewFlows { get; private set; }

    public BoundedTable<FlowKey, FlowCounts> Table => _table;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Count(in DecodedPacket p, ulong hash)
    {
        ref var flow = ref _table.GetOrAdd(Key(p), hash, out var added);
        flow.Packets++;
        flow.Bytes += p.WireLength;
        if (added) NewFlows++;
    }

    /// <summary>Prefetches the packet's slot; returns the hash <see cref="Count"/> takes.</summary>
    public ulong Prefetch(in DecodedPacket p)
    {
        var hash = Key(p).Hash();
        _table.Prefetch(hash);
        return hash;
    }

    private static FlowKey Key(in DecodedPacket p) => new(p.Source, p.Destination, p.SourcePort, p.DestinationPort, p.IpProtocol);

    public void MergeFrom(FlowReport other)
    {
        _table.MergeFrom(other._table);
        NewFlows += other.NewFlows;
    }

    public void Clear()
    {
        _table.Clear();
        NewFlows = 0;
    }

    /// <summary>Top flows whose IP protocol passes <paramref name="protocols"/> (null: every protocol).</summary>
    public IReadOnlyList<ReportRow> Top(RowContext context, Func<byte, bool>? protocols)
    {
        var items = _table.Entries().Where(e => protocols is null || protocols(e.Key.Protocol));
        return context.TopRows(items, CompareFlows, e => FlowFields(context, e.Key, e.Value.Packets, e.Value.Bytes));
    }

    private static int CompareFlows((FlowKey Key, FlowCounts Value) a, (FlowKey Key, FlowCounts Value) b)
    {
        var c = b.Value.Bytes.CompareTo(a.Value.Bytes);
        return c != 0 ? c : a.Key.CompareTo(b.Key);
    }

    public static List<ReportField> FlowFields(RowContext context, FlowKey key, long packets, long bytes)
    {
        var fields = new List<ReportField>
        {
            new("src", key.Source.ToString()),
            new("dst", key.Destination.ToString()),
            new("proto", RowContext.Protocol(key.Protocol)),
            new("sport", (long)key.SourcePort),
            new("dport", (long)key.DestinationPort),
            new("packets", packets),
            new("bytes", bytes),
        };
        context.Inside(fields, "src_inside", key.Source);
        context.Inside(fields, "dst_inside", key.Destination);
        return fields;
    }
}
