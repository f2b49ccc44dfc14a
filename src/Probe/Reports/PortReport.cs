using Monitor.Probe.Decode;
using Monitor.Storage.Snapshots;

namespace Monitor.Probe.Reports;

/// <summary>TCP and UDP destination ports by packets and bytes: flat arrays, exact, 2 MiB whatever the traffic.</summary>
internal sealed class PortReport
{
    private const int Ports = 65536;
    // Index: port for TCP, Ports + port for UDP.
    private readonly long[] _packets = new long[2 * Ports];
    private readonly long[] _bytes = new long[2 * Ports];

    public void Count(in DecodedPacket p)
    {
        var index = p.Transport == Transport.Tcp ? p.DestinationPort : Ports + p.DestinationPort;
        _packets[index]++;
        _bytes[index] += p.WireLength;
    }

    public void MergeFrom(PortReport other)
    {
        for (var i = 0; i < _packets.Length; i++)
        {
            _packets[i] += other._packets[i];
            _bytes[i] += other._bytes[i];
        }
    }

    public void Clear()
    {
        Array.Clear(_packets);
        Array.Clear(_bytes);
    }

    public IReadOnlyList<ReportRow> Top(RowContext context)
    {
        var items = new List<int>();
        for (var i = 0; i < _packets.Length; i++)
            if (_packets[i] > 0) items.Add(i);
        return context.TopRows(items,
            (a, b) =>
            {
                var c = _packets[b].CompareTo(_packets[a]);
                if (c != 0) return c;
                c = _bytes[b].CompareTo(_bytes[a]);
                return c != 0 ? c : a.CompareTo(b);
            },
            i =>
            [
                new("proto", i < Ports ? "tcp" : "udp"),
                new("port", (long)(i % Ports)),
                new("packets", _packets[i]),
                new("bytes", _bytes[i]),
            ]);
    }
}
