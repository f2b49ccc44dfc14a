using System.Runtime.CompilerServices;
using Monitor.Probe.Decode;
using Monitor.Probe.Reports.Tables;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Probe.Reports;

/// <summary>
/// Ourmon's port signatures (portreport): SYNs without ACK per source and destination port, so that for each worm
/// host (see <see cref="HostReport.WormHosts"/>) the report lists the ports it hammers, with their share of its SYNs.
/// One row per (host, port): over a range the stores sum a row's SYNs and the host's, and recompute the share.
/// </summary>
internal sealed class PortSignatureReport(int capacity)
{
    /// <summary>Ports listed per worm host.</summary>
    public const int PortsPerHost = 10;

    internal readonly record struct SourcePortKey(IpAddressKey Source, ushort Port) : ITableKey<SourcePortKey>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ulong Hash() => Hashing.Mix(Hashing.Fold(Source) ^ (ulong)Port * 0x9E3779B97F4A7C15UL);
    }

    internal struct SynCount : ITableValue<SynCount>
    {
        public long Syns;
        public readonly long Rank => Syns;
        public void Add(in SynCount other) => Syns += other.Syns;
    }

    private readonly BoundedTable<SourcePortKey, SynCount> _table = new(capacity);

    public BoundedTable<SourcePortKey, SynCount> Table => _table;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Count(in DecodedPacket p)
    {
        if (p.Transport != Transport.Tcp || (p.TcpFlags & (TcpFlags.Syn | TcpFlags.Ack)) != TcpFlags.Syn) return;
        _table.GetOrAdd(new SourcePortKey(p.Source, p.DestinationPort), out _).Syns++;
    }

    public void MergeFrom(PortSignatureReport other) => _table.MergeFrom(other._table);

    public void Clear() => _table.Clear();

    /// <summary>port_signatures: each worm host's top ports by SYNs, hosts by their SYNs (largest first).</summary>
    public IReadOnlyList<ReportRow> Rows(RowContext context, IReadOnlyCollection<IpAddressKey> worms, Func<IpAddressKey, double> workWeight)
    {
        if (worms.Count == 0) return [];
        var wanted = worms.ToHashSet();
        var byHost = new Dictionary<IpAddressKey, List<(ushort Port, long Syns)>>();
        foreach (var (key, value) in _table.Entries())
        {
            if (!wanted.Contains(key.Source)) continue;
            if (!byHost.TryGetValue(key.Source, out var ports)) byHost[key.Source] = ports = [];
            ports.Add((key.Port, value.Syns));
        }
        var hosts = byHost.Select(kv => (Ip: kv.Key, Total: kv.Value.Sum(p => p.Syns), Ports: kv.Value)).ToList();
        hosts.Sort((a, b) => b.Total != a.Total ? b.Total.CompareTo(a.Total) : RowContext.CompareIp(a.Ip, b.Ip));
        var rows = new List<ReportRow>();
        foreach (var host in hosts.Take(context.Top))
        {
            var weight = Math.Round(workWeight(host.Ip), 2);
            foreach (var (port, syns) in host.Ports.OrderByDescending(p => p.Syns).ThenBy(p => p.Port).Take(PortsPerHost))
            {
                var fields = new List<ReportField>
                {
                    new("ip", host.Ip.ToString()),
                    new("port", (long)port),
                    new("syns", syns),
                    new("host_syns", host.Total),
                    new("percent", Math.Round(100.0 * syns / host.Total, 2)),
                    new("work_weight", weight),
                };
                context.Inside(fields, "inside", host.Ip);
                rows.Add(new ReportRow(fields));
            }
        }
        return rows;
    }
}
