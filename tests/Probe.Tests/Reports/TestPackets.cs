using Monitor.Probe.Decode;
using Monitor.Probe.Reports;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Probe.Tests.Reports;

/// <summary>DecodedPacket values as the decoder fills them, for report tests that need no capture file.</summary>
internal static class TestPackets
{
    public static readonly long Start = new DateTimeOffset(2008, 3, 8, 3, 30, 0, TimeSpan.Zero).UtcTicks;

    private static DecodedPacket Ip(string src, string dst, Transport transport, byte protocol, int wireLength, long ticks)
    {
        var s = IpAddressKey.Parse(src);
        return new DecodedPacket
        {
            Ticks = Start + ticks,
            WireLength = wireLength,
            CapturedLength = wireLength,
            Layer = s.IsV4 ? NetworkLayer.IPv4 : NetworkLayer.IPv6,
            Transport = transport,
            Source = s,
            Destination = IpAddressKey.Parse(dst),
            IpProtocol = protocol,
            IpLength = wireLength - 14,
        };
    }

    public static DecodedPacket Tcp(string src, string dst, ushort sport, ushort dport, TcpFlags flags, int wireLength = 60, long ticks = 0)
    {
        var p = Ip(src, dst, Transport.Tcp, 6, wireLength, ticks);
        p.SourcePort = sport;
        p.DestinationPort = dport;
        p.TcpFlags = flags;
        return p;
    }

    public static DecodedPacket Syn(string src, string dst, ushort dport = 80, ushort sport = 40000) =>
        Tcp(src, dst, sport, dport, TcpFlags.Syn);

    public static DecodedPacket Udp(string src, string dst, ushort sport, ushort dport, int wireLength = 60, long ticks = 0)
    {
        var p = Ip(src, dst, Transport.Udp, 17, wireLength, ticks);
        p.SourcePort = sport;
        p.DestinationPort = dport;
        return p;
    }

    /// <summary>ICMP (or ICMPv6 for v6 addresses) with the payload length after the 8-byte header.</summary>
    public static DecodedPacket Icmp(string src, string dst, byte type, byte code, int payload = 0, long ticks = 0)
    {
        var v6 = !IpAddressKey.Parse(src).IsV4;
        var header = v6 ? 40 : 20;
        var p = Ip(src, dst, v6 ? Transport.IcmpV6 : Transport.Icmp, (byte)(v6 ? 58 : 1), 14 + header + 8 + payload, ticks);
        p.IcmpType = type;
        p.IcmpCode = code;
        p.SourcePort = type;
        p.DestinationPort = code;
        p.PayloadLength = payload;
        return p;
    }

    public static ReportSet Count(ReportOptions options, IEnumerable<DecodedPacket> packets)
    {
        var set = new ReportSet(options);
        foreach (var p in packets) set.Count(p);
        return set;
    }

    public static IEnumerable<DecodedPacket> Repeat(int times, Func<int, DecodedPacket> packet) =>
        Enumerable.Range(0, times).Select(packet);

    public static IReadOnlyList<ReportRow> Report(this ReportResults results, string name) => results.Reports[name];

    public static ReportRow Row(this ReportResults results, string report, string field, string value) =>
        results.Reports[report].Single(r => r.Text(field) == value);

    public static long Long(this ReportRow row, string field) => Convert.ToInt64(row[field]);
}
