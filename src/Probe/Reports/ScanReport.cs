using System.Runtime.CompilerServices;
using Monitor.Probe.Decode;
using Monitor.Probe.Reports.Tables;
using Monitor.Storage.Model.Reports;
using Monitor.Storage.Model.Snapshots;
using Monitor.Storage.Summaries;

namespace Monitor.Probe.Reports;

/// <summary>
/// Distinct destinations and ports per source, counted over probe packets only, so that servers
/// answering many clients do not look like scanners:
/// TCP without ACK (SYN, FIN, Xmas and null scans; every reply of an established or answering host
/// carries ACK), UDP whose destination port is not above its source port (a service answering from
/// its low port to a client's ephemeral port is not probing), ICMP/ICMPv6 other than errors and echo
/// replies, and every other IP protocol.
/// </summary>
internal sealed class ScanReport(int capacity)
{
    public const int AllDestinations = 0;
    public const int TcpDestinations = 1;
    public const int UdpDestinations = 2;
    public const int IcmpDestinations = 3;
    public const int OtherDestinations = 4;
    public const int TcpPorts = 5;
    public const int UdpPorts = 6;

    private readonly DistinctTable _table = new(capacity, checked(capacity * 4), 7);

    public DistinctTable Table => _table;

    /// <summary>Counts a packet that <see cref="Prefetch"/> found to be a probe.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Count(in DecodedPacket p, in PacketHashes hashes)
    {
        if (!hashes.IsScanProbe) return;
        var dst = p.Destination;
        // The protocol's item goes first: when it was already there, so is the all-protocols item.
        _table.Add(p.Source, hashes.Source, hashes.ScanItem, hashes.ScanItemHash,
            AllDestinations, dst.High, dst.Low,
            hashes.ScanPortDimension, 0, p.DestinationPort,
            secondOnlyWithFirst: true);
    }

    /// <summary>
    /// Decides whether the packet is a probe and, for one, prefetches its slots and notes its first item
    /// and port dimension for <see cref="Count"/>.
    /// </summary>
    public void Prefetch(in DecodedPacket p, ref PacketHashes hashes)
    {
        hashes.IsScanProbe = IsProbe(p, out var destinationDimension, out hashes.ScanPortDimension);
        if (!hashes.IsScanProbe) return;
        _table.Prefetch(p.Source, hashes.Source, destinationDimension, p.Destination.High, p.Destination.Low,
            out hashes.ScanItem, out hashes.ScanItemHash);
    }

    /// <summary>Whether the packet is a probe (see the class summary), and the dimensions it counts in.</summary>
    private static bool IsProbe(in DecodedPacket p, out int destinationDimension, out int portDimension)
    {
        portDimension = -1;
        switch (p.Transport)
        {
            case Transport.Tcp:
                destinationDimension = TcpDestinations;
                portDimension = TcpPorts;
                return (p.TcpFlags & TcpFlags.Ack) == 0;
            case Transport.Udp:
                destinationDimension = UdpDestinations;
                portDimension = UdpPorts;
                return p.DestinationPort <= p.SourcePort;
            case Transport.Icmp:
                destinationDimension = IcmpDestinations;
                return !p.IsIcmpError && p.IcmpType != 0;
            case Transport.IcmpV6:
                destinationDimension = IcmpDestinations;
                return !p.IsIcmpError && p.IcmpType != 129;
            default:
                destinationDimension = OtherDestinations;
                return true;
        }
    }

    public long Count(IpAddressKey source, int dimension) => _table.Count(source, dimension);

    public void MergeFrom(ScanReport other) => _table.MergeFrom(other._table);

    public void Clear() => _table.Clear();

    public IReadOnlyList<ReportRow> IpScanners(RowContext context)
    {
        var items = _table.SourceAddresses()
            .Select(ip => (Ip: ip, All: Count(ip, AllDestinations)))
            .Where(t => t.All > 0);
        return context.TopRows(items,
            static (a, b) =>
            {
                var c = b.All.CompareTo(a.All);
                return c != 0 ? c : RowContext.CompareIp(a.Ip, b.Ip);
            },
            t =>
            {
                var fields = new List<ReportField>
                {
                    new("ip", t.Ip.ToString()),
                    new("distinct_destinations", t.All),
                    new("distinct_tcp", Count(t.Ip, TcpDestinations)),
                    new("distinct_udp", Count(t.Ip, UdpDestinations)),
                    new("distinct_icmp", Count(t.Ip, IcmpDestinations)),
                    new("estimated", _table.IsEstimated(t.Ip)),
                };
                context.Inside(fields, "inside", t.Ip);
                return fields;
            });
    }

    public IReadOnlyList<ReportRow> PortScanners(RowContext context)
    {
        var items = _table.SourceAddresses()
            .Select(ip => (Ip: ip, Tcp: Count(ip, TcpPorts), Udp: Count(ip, UdpPorts)))
            .Where(t => t.Tcp + t.Udp > 0)
            ;
        return context.TopRows(items,
            static (a, b) =>
            {
                var c = (b.Tcp + b.Udp).CompareTo(a.Tcp + a.Udp);
                return c != 0 ? c : RowContext.CompareIp(a.Ip, b.Ip);
            },
            t =>
            {
                var fields = new List<ReportField>
                {
                    new("ip", t.Ip.ToString()),
                    new("distinct_ports", t.Tcp + t.Udp),
                    new("distinct_tcp_ports", t.Tcp),
                    new("distinct_udp_ports", t.Udp),
                    new("estimated", _table.IsEstimated(t.Ip)),
                };
                context.Inside(fields, "inside", t.Ip);
                return fields;
            });
    }

    /// <summary>The union fields of each report that carries distinct counts, with the dimension each one counts.</summary>
    private static readonly Dictionary<string, (string Field, int Dimension)[]> SetFields = new(StringComparer.Ordinal)
    {
        [ReportCatalog.IpScanners] =
        [
            ("distinct_destinations", AllDestinations), ("distinct_tcp", TcpDestinations),
            ("distinct_udp", UdpDestinations), ("distinct_icmp", IcmpDestinations),
        ],
        [ReportCatalog.PortScanners] = [("distinct_tcp_ports", TcpPorts), ("distinct_udp_ports", UdpPorts)],
        [ReportCatalog.Syn] = [("distinct_hosts", TcpDestinations), ("distinct_ports", TcpPorts)],
        [ReportCatalog.Udp] = [("distinct_ports", UdpPorts)],
    };

    /// <summary>
    /// Adds to every row of the distinct-counting reports the sets behind its counts (<c>{field}_set</c>), so that
    /// the store can union them over a range; the rows themselves keep the exact interval counts.
    /// </summary>
    public void AddSets(Dictionary<string, IReadOnlyList<ReportRow>> reports)
    {
        var wanted = new List<(IpAddressKey, int)>();
        foreach (var (name, fields) in SetFields)
            if (reports.TryGetValue(name, out var rows))
                foreach (var row in rows)
                {
                    var ip = IpAddressKey.Parse(row.Text("ip"));
                    foreach (var (_, dimension) in fields) wanted.Add((ip, dimension));
                }
        if (wanted.Count == 0) return;
        var sets = _table.Sets(wanted);
        foreach (var (name, fields) in SetFields)
            if (reports.TryGetValue(name, out var rows))
                reports[name] = rows.Select(row =>
                {
                    var ip = IpAddressKey.Parse(row.Text("ip"));
                    var withSets = new List<ReportField>(row.Fields);
                    foreach (var (field, dimension) in fields)
                        withSets.Add(new ReportField(field + TopAggregator.SetSuffix, sets[(ip, dimension)].ToText()));
                    return new ReportRow(withSets);
                }).ToList();
    }

    /// <summary>Sources at or over the scanner threshold in destinations or ports.</summary>
    public IEnumerable<IpAddressKey> Scanners(int threshold)
    {
        foreach (var ip in _table.SourceAddresses())
            if (Count(ip, AllDestinations) >= threshold || Count(ip, TcpPorts) + Count(ip, UdpPorts) >= threshold)
                yield return ip;
    }
}
