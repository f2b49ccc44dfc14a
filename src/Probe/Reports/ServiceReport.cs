using Monitor.Probe.Decode;
using Monitor.Probe.Reports.Tables;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Probe.Reports;

/// <summary>
/// Bytes between the home network and the outside per (proto, service port, inside host, outside host),
/// as Sguil's "top bandwidth per service". Only packets with exactly one side inside count. The
/// service port is the lower of the two ports (TCP/UDP), so both directions of a conversation share a
/// row; other protocols use port 0.
/// </summary>
internal sealed class ServiceReport(int capacity)
{
    internal struct ServiceCounts : ITableValue<ServiceCounts>
    {
        public long PacketsOut, BytesOut, PacketsIn, BytesIn;

        public readonly long Rank => BytesOut + BytesIn;

        public void Add(in ServiceCounts o)
        {
            PacketsOut += o.PacketsOut; BytesOut += o.BytesOut;
            PacketsIn += o.PacketsIn; BytesIn += o.BytesIn;
        }
    }

    private readonly BoundedTable<ServiceKey, ServiceCounts> _table = new(capacity);

    public BoundedTable<ServiceKey, ServiceCounts> Table => _table;

    public void Count(in DecodedPacket p, AddressSet home)
    {
        var sourceInside = home.Contains(p.Source);
        if (sourceInside == home.Contains(p.Destination)) return;
        var port = p.Transport is Transport.Tcp or Transport.Udp ? Math.Min(p.SourcePort, p.DestinationPort) : (ushort)0;
        var key = sourceInside
            ? new ServiceKey(p.Source, p.Destination, port, p.IpProtocol)
            : new ServiceKey(p.Destination, p.Source, port, p.IpProtocol);
        ref var counts = ref _table.GetOrAdd(key, out _);
        if (sourceInside)
        {
            counts.PacketsOut++;
            counts.BytesOut += p.WireLength;
        }
        else
        {
            counts.PacketsIn++;
            counts.BytesIn += p.WireLength;
        }
    }

    public void MergeFrom(ServiceReport other) => _table.MergeFrom(other._table);

    public void Clear() => _table.Clear();

    public IReadOnlyList<ReportRow> Top(RowContext context)
    {
        var items = _table.Entries();
        return context.TopRows(items,
            static (a, b) =>
            {
                var c = b.Value.Rank.CompareTo(a.Value.Rank);
                return c != 0 ? c : a.Key.CompareTo(b.Key);
            },
            e =>
            [
                new("proto", RowContext.Protocol(e.Key.Protocol)),
                new("port", (long)e.Key.Port),
                new("inside", e.Key.Inside.ToString()),
                new("outside", e.Key.Outside.ToString()),
                new("packets_out", e.Value.PacketsOut),
                new("bytes_out", e.Value.BytesOut),
                new("packets_in", e.Value.PacketsIn),
                new("bytes_in", e.Value.BytesIn),
                new("bytes", e.Value.BytesOut + e.Value.BytesIn),
            ]);
    }
}
