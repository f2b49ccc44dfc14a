using System.Runtime.InteropServices;
using Monitor.Probe.Decode;
using Monitor.Storage.Snapshots;

namespace Monitor.Probe.Reports;

/// <summary>Per IP address (v4 and v6): every packet it sent or received, sorted by bytes.</summary>
internal sealed class TalkerReport
{
    private struct Counts
    {
        public long PacketsSent, BytesSent, PacketsReceived, BytesReceived;
    }

    private readonly Dictionary<IpAddressKey, Counts> _table = new();

    public void Count(in DecodedPacket packet)
    {
        ref var src = ref CollectionsMarshal.GetValueRefOrAddDefault(_table, packet.Source, out _);
        src.PacketsSent++;
        src.BytesSent += packet.WireLength;
        if (packet.Destination == packet.Source) return;
        ref var dst = ref CollectionsMarshal.GetValueRefOrAddDefault(_table, packet.Destination, out _);
        dst.PacketsReceived++;
        dst.BytesReceived += packet.WireLength;
    }

    public void MergeFrom(TalkerReport other)
    {
        foreach (var (ip, c) in other._table)
        {
            ref var mine = ref CollectionsMarshal.GetValueRefOrAddDefault(_table, ip, out _);
            mine.PacketsSent += c.PacketsSent;
            mine.BytesSent += c.BytesSent;
            mine.PacketsReceived += c.PacketsReceived;
            mine.BytesReceived += c.BytesReceived;
        }
    }

    public IReadOnlyList<ReportRow> Top(int n) =>
        _table
            .Select(kv => (Ip: kv.Key, C: kv.Value, Bytes: kv.Value.BytesSent + kv.Value.BytesReceived))
            .OrderByDescending(t => t.Bytes).ThenBy(t => t.Ip.High).ThenBy(t => t.Ip.Low)
            .Take(n)
            .Select(t => new ReportRow(
            [
                new("ip", t.Ip.ToString()),
                new("packets", t.C.PacketsSent + t.C.PacketsReceived),
                new("bytes", t.Bytes),
                new("packets_sent", t.C.PacketsSent),
                new("bytes_sent", t.C.BytesSent),
                new("packets_received", t.C.PacketsReceived),
                new("bytes_received", t.C.BytesReceived),
            ]))
            .ToList();

    public void Clear() => _table.Clear();
}
