using System.Runtime.CompilerServices;
using Monitor.Probe.Decode;
using Monitor.Probe.Reports.Tables;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Probe.Reports;

/// <summary>
/// Per-IP counters behind three reports: talkers (every packet sent or received), syn (Ourmon's
/// topn_syn) and udp (Ourmon's UDP weight). One table keyed by address, ranked by packets sent plus
/// received, so a flood of spoofed one-packet sources folds before any heavy host does.
/// </summary>
internal sealed class HostReport(int capacity)
{
    internal struct HostCounts : ITableValue<HostCounts>
    {
        public long PacketsSent, BytesSent, PacketsReceived, BytesReceived;
        public long SynSent, SynAckSent, FinSent, RstSent, RstReceived, TcpSent, TcpReceived;
        public long UdpSent, UdpReceived, IcmpErrorsReceived;

        public readonly long Rank => PacketsSent + PacketsReceived;

        public void Add(in HostCounts o)
        {
            PacketsSent += o.PacketsSent; BytesSent += o.BytesSent;
            PacketsReceived += o.PacketsReceived; BytesReceived += o.BytesReceived;
            SynSent += o.SynSent; SynAckSent += o.SynAckSent; FinSent += o.FinSent; RstSent += o.RstSent;
            RstReceived += o.RstReceived; TcpSent += o.TcpSent; TcpReceived += o.TcpReceived;
            UdpSent += o.UdpSent; UdpReceived += o.UdpReceived; IcmpErrorsReceived += o.IcmpErrorsReceived;
        }

        /// <summary>(SYN sent + FIN sent + RST received) / (TCP sent + received), in percent; 0 without TCP.</summary>
        public readonly double WorkWeight
        {
            get
            {
                var tcp = TcpSent + TcpReceived;
                return tcp == 0 ? 0 : 100.0 * (SynSent + FinSent + RstReceived) / tcp;
            }
        }

        /// <summary>Ourmon's UDP weight: (UDP sent - UDP received) x ICMP errors received.</summary>
        public readonly long UdpWeight => (UdpSent - UdpReceived) * IcmpErrorsReceived;
    }

    private readonly BoundedTable<HostKey, HostCounts> _table = new(capacity);

    /// <summary>SYN-without-ACK packets in the interval (the syn series), exact whatever the table folds.</summary>
    public long SynPackets { get; private set; }

    public BoundedTable<HostKey, HostCounts> Table => _table;

    /// <summary>
    /// Counts malformed packets too, as tshark does: the IP header was good (the caller checked), and
    /// the decoder leaves flags and ICMP type zero when the transport header could not be read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Count(in DecodedPacket p, in PacketHashes hashes)
    {
        var flags = p.TcpFlags;
        var isTcp = p.Transport == Transport.Tcp;
        var isUdp = p.Transport == Transport.Udp;
        var synOnly = isTcp && (flags & (TcpFlags.Syn | TcpFlags.Ack)) == TcpFlags.Syn;
        if (synOnly) SynPackets++;

        // Finish with the source's entry before touching the destination's: an insert may move entries.
        ref var src = ref _table.GetOrAdd(new HostKey(p.Source), hashes.Source, out _);
        src.PacketsSent++;
        src.BytesSent += p.WireLength;
        if (isTcp)
        {
            src.TcpSent++;
            if (synOnly) src.SynSent++;
            else if ((flags & (TcpFlags.Syn | TcpFlags.Ack)) == (TcpFlags.Syn | TcpFlags.Ack)) src.SynAckSent++;
            if ((flags & TcpFlags.Fin) != 0) src.FinSent++;
            if ((flags & TcpFlags.Rst) != 0) src.RstSent++;
        }
        else if (isUdp)
        {
            src.UdpSent++;
        }
        ref var dst = ref _table.GetOrAdd(new HostKey(p.Destination), hashes.Destination, out _);
        // A packet to itself counts once for the address's talker figures, as tshark's endpoints do,
        // but it was still both sent and received by it.
        if (p.Destination != p.Source)
        {
            dst.PacketsReceived++;
            dst.BytesReceived += p.WireLength;
        }
        if (isTcp)
        {
            dst.TcpReceived++;
            if ((flags & TcpFlags.Rst) != 0) dst.RstReceived++;
        }
        else if (isUdp)
        {
            dst.UdpReceived++;
        }
        else if (p.IsIcmpError)
        {
            dst.IcmpErrorsReceived++;
        }
    }

    public void Prefetch(in PacketHashes hashes)
    {
        _table.Prefetch(hashes.Source);
        _table.Prefetch(hashes.Destination);
    }

    public void MergeFrom(HostReport other)
    {
        _table.MergeFrom(other._table);
        SynPackets += other.SynPackets;
    }

    public void Clear()
    {
        _table.Clear();
        SynPackets = 0;
    }

    public IReadOnlyList<ReportRow> Talkers(RowContext context, AppFlagReport apps)
    {
        var items = _table.Entries();
        return context.TopRows(items,
            static (a, b) =>
            {
                var c = (b.Value.BytesSent + b.Value.BytesReceived).CompareTo(a.Value.BytesSent + a.Value.BytesReceived);
                return c != 0 ? c : RowContext.CompareIp(a.Key.Ip, b.Key.Ip);
            },
            e =>
            {
                var c = e.Value;
                var fields = new List<ReportField>
                {
                    new("ip", e.Key.Ip.ToString()),
                    new("packets", c.PacketsSent + c.PacketsReceived),
                    new("bytes", c.BytesSent + c.BytesReceived),
                    new("packets_sent", c.PacketsSent),
                    new("bytes_sent", c.BytesSent),
                    new("packets_received", c.PacketsReceived),
                    new("bytes_received", c.BytesReceived),
                    new("app_flags", apps.Letters(e.Key.Ip)),
                };
                context.Inside(fields, "inside", e.Key.Ip);
                return fields;
            });
    }

    /// <summary>Ourmon's topn_syn: hosts that sent SYNs, by work weight, ties by SYN count.</summary>
    public IReadOnlyList<ReportRow> Syn(RowContext context, ScanReport scans, int wormThreshold, AppFlagReport apps)
    {
        var items = _table.Entries().Where(e => e.Value.SynSent > 0);
        return context.TopRows(items,
            static (a, b) => RowContext.Ranked(a.Value.WorkWeight, b.Value.WorkWeight, a.Value.SynSent, b.Value.SynSent, a.Key.Ip, b.Key.Ip),
            e =>
            {
                var c = e.Value;
                var weight = c.WorkWeight;
                var fields = new List<ReportField>
                {
                    new("ip", e.Key.Ip.ToString()),
                    new("syn_sent", c.SynSent),
                    new("synack_sent", c.SynAckSent),
                    new("fin_sent", c.FinSent),
                    new("rst_sent", c.RstSent),
                    new("rst_received", c.RstReceived),
                    new("tcp_sent", c.TcpSent),
                    new("tcp_received", c.TcpReceived),
                    new("icmp_errors_received", c.IcmpErrorsReceived),
                    new("distinct_ports", scans.Count(e.Key.Ip, ScanReport.TcpPorts)),
                    new("distinct_hosts", scans.Count(e.Key.Ip, ScanReport.TcpDestinations)),
                    new("work_weight", Math.Round(weight, 2)),
                    new("flag", Flag(weight)),
                    new("worm", IsWorm(c, wormThreshold)),
                    new("app_flags", apps.Letters(e.Key.Ip)),
                };
                context.Inside(fields, "inside", e.Key.Ip);
                return fields;
            });
    }

    public static string Flag(double workWeight) => workWeight >= 90 ? "W" : workWeight >= 50 ? "w" : "";

    public static bool IsWorm(in HostCounts c, int threshold) => c.SynSent - c.FinSent > threshold;

    /// <summary>Ourmon's topn_udp: hosts that sent UDP, by UDP weight, ties by packets sent.</summary>
    public IReadOnlyList<ReportRow> Udp(RowContext context, ScanReport scans)
    {
        var items = _table.Entries().Where(e => e.Value.UdpSent > 0);
        return context.TopRows(items,
            static (a, b) => RowContext.Ranked(a.Value.UdpWeight, b.Value.UdpWeight, a.Value.UdpSent, b.Value.UdpSent, a.Key.Ip, b.Key.Ip),
            e =>
            {
                var c = e.Value;
                var fields = new List<ReportField>
                {
                    new("ip", e.Key.Ip.ToString()),
                    new("sent", c.UdpSent),
                    new("received", c.UdpReceived),
                    new("icmp_errors_received", c.IcmpErrorsReceived),
                    new("distinct_ports", scans.Count(e.Key.Ip, ScanReport.UdpPorts)),
                    new("weight", c.UdpWeight),
                };
                context.Inside(fields, "inside", e.Key.Ip);
                return fields;
            });
    }

    /// <summary>The interval's largest UDP weight among UDP senders (0 when none is positive).</summary>
    public long MaxUdpWeight()
    {
        long max = 0;
        foreach (var (_, c) in _table.Entries())
            if (c.UdpSent > 0 && c.UdpWeight > max) max = c.UdpWeight;
        return max;
    }

    /// <summary>
    /// Hosts whose SYN behaviour is Ourmon's worm signature (its tworm graph): SYNs - FINs over the threshold and a
    /// work weight of at least <paramref name="wormWeight"/> (Probe:WormWeight, 90 = flag W).
    /// </summary>
    public IEnumerable<IpAddressKey> WormHosts(int wormThreshold, int wormWeight)
    {
        foreach (var (key, c) in _table.Entries())
            if (c.SynSent > 0 && c.WorkWeight >= wormWeight && IsWorm(c, wormThreshold)) yield return key.Ip;
    }

    /// <summary>A host's work weight (0 when not in the table) and whether it has the worm's SYN - FIN count.</summary>
    public (double Weight, bool Worm) Weight(IpAddressKey ip, int wormThreshold)
    {
        ref var c = ref _table.TryGet(new HostKey(ip), out var found);
        return found ? (c.WorkWeight, c.SynSent > 0 && IsWorm(c, wormThreshold)) : (0, false);
    }

    public double WorkWeight(IpAddressKey ip) => Weight(ip, int.MaxValue).Weight;
}
