using Monitor.Probe.Decode;
using Monitor.Probe.Reports.Tables;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Probe.Reports;

/// <summary>One-way flows to or from a blacklisted address or block, with first and last packet time.</summary>
internal sealed class BlacklistReport(int capacity)
{
    [Flags]
    internal enum Listed : byte { None = 0, Source = 1, Destination = 2 }

    internal struct Hit : ITableValue<Hit>
    {
        public long Packets, Bytes, FirstTicks, LastTicks;
        public Listed Listed;

        public readonly long Rank => Packets;

        public void Add(in Hit o)
        {
            if (Packets == 0 || (o.Packets > 0 && o.FirstTicks < FirstTicks)) FirstTicks = o.FirstTicks;
            if (o.LastTicks > LastTicks) LastTicks = o.LastTicks;
            Packets += o.Packets;
            Bytes += o.Bytes;
            Listed |= o.Listed;
        }
    }

    private readonly BoundedTable<FlowKey, Hit> _table = new(capacity);

    public BoundedTable<FlowKey, Hit> Table => _table;

    public void Count(in DecodedPacket p, AddressSet blacklist)
    {
        var listed = (blacklist.Contains(p.Source) ? Listed.Source : Listed.None)
                     | (blacklist.Contains(p.Destination) ? Listed.Destination : Listed.None);
        if (listed == Listed.None) return;
        ref var hit = ref _table.GetOrAdd(
            new FlowKey(p.Source, p.Destination, p.SourcePort, p.DestinationPort, p.IpProtocol), out var added);
        if (added || p.Ticks < hit.FirstTicks) hit.FirstTicks = p.Ticks;
        if (p.Ticks > hit.LastTicks) hit.LastTicks = p.Ticks;
        hit.Packets++;
        hit.Bytes += p.WireLength;
        hit.Listed |= listed;
    }

    public void MergeFrom(BlacklistReport other) => _table.MergeFrom(other._table);

    public void Clear() => _table.Clear();

    public IReadOnlyList<ReportRow> Top(RowContext context)
    {
        var items = _table.Entries();
        return context.TopRows(items,
            static (a, b) =>
            {
                var c = b.Value.Packets.CompareTo(a.Value.Packets);
                if (c != 0) return c;
                c = a.Value.FirstTicks.CompareTo(b.Value.FirstTicks);
                return c != 0 ? c : RowContext.CompareIp(a.Key.Source, b.Key.Source);
            },
            e =>
            {
                var fields = FlowReport.FlowFields(context, e.Key, e.Value.Packets, e.Value.Bytes);
                fields.Add(new("listed", e.Value.Listed switch
                {
                    Listed.Source => "src",
                    Listed.Destination => "dst",
                    _ => "both",
                }));
                fields.Add(new("first_seen", RowContext.Time(e.Value.FirstTicks)));
                fields.Add(new("last_seen", RowContext.Time(e.Value.LastTicks)));
                return fields;
            });
    }
}
