using System.Runtime.CompilerServices;
using Monitor.Probe.Decode;
using Monitor.Probe.Reports.Tables;
using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Reports;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Probe.Reports;

/// <summary>
/// All report tables of one worker for one interval. Each worker owns one set and counts into it
/// without locks; at the interval's end the sets are merged once and the top-N lists built.
/// </summary>
public sealed class ReportSet
{
    /// <summary>The pool this set goes back to once merged (none for sets made outside a probe run).</summary>
    internal ReportSetPool? Pool { get; init; }

    private readonly HostReport _hosts;
    private readonly FlowReport _flows;
    private readonly PortReport _ports = new();
    private readonly ScanReport _scans;
    private readonly IcmpReport _icmp;
    private readonly ServiceReport _services;
    private readonly BlacklistReport _blacklisted;
    private readonly IrcReport _irc;
    private readonly AppFlagReport _apps;
    private readonly PortSignatureReport _portSignatures;
    private readonly AddressSet _homeNet;
    private readonly Blacklist? _blacklist;

    public ReportSet(ReportOptions options) : this(options,
        options.Blacklist is { } path ? Blacklist.For(path, TimeSpan.FromSeconds(options.BlacklistCheckSeconds)) : null)
    {
    }

    /// <summary>A set that reads the given blacklist watcher (shared by all workers) instead of the options' file.</summary>
    public ReportSet(ReportOptions options, Blacklist? blacklist)
    {
        Options = options;
        var capacity = Math.Max(options.TableCapacity, 2 * options.Top);
        _hosts = new HostReport(capacity);
        _flows = new FlowReport(capacity);
        _scans = new ScanReport(capacity);
        _icmp = new IcmpReport(capacity, options.StandardPingSizes);
        _services = new ServiceReport(capacity);
        _blacklisted = new BlacklistReport(capacity);
        _irc = new IrcReport(capacity);
        _apps = new AppFlagReport(capacity);
        _portSignatures = new PortSignatureReport(capacity);
        _homeNet = AddressSet.Parse(options.HomeNet);
        _blacklist = blacklist;
    }

    public ReportOptions Options { get; }

    /// <summary>Flow keys first seen so far in this set's interval (the new_flows series).</summary>
    public long NewFlows => _flows.NewFlows;

    /// <summary>
    /// The session table's state as the interval closed, set by the worker that keeps the partition's
    /// sessions (they are not a report table, but a full table is overflow all the same).
    /// </summary>
    public void NoteSessions(int capacity, int open, long evictedEarly)
    {
        _sessionCapacity = capacity;
        _sessionsOpen = open;
        _sessionsEvicted = evictedEarly;
    }

    private int _sessionCapacity, _sessionsOpen;
    private long _sessionsEvicted;

    /// <summary>Counts one packet (the one-by-one path; the worker counts through its lookahead counter).</summary>
    public void Count(in DecodedPacket packet)
    {
        var hashes = new PacketHashes();
        Prefetch(packet, ref hashes, ReportTables.All);
        Count(packet, hashes, ReportTables.All);
    }

    /// <summary>Counts one packet with the frame it was decoded from, so that its payload is inspected too.</summary>
    public void Count(in DecodedPacket packet, ReadOnlySpan<byte> frame)
    {
        Count(packet);
        if (packet.PayloadCaptured > 0) Inspect(packet, packet.Payload(frame));
    }

    /// <summary>
    /// Reads a TCP/UDP payload for the application flags and IRC (part of the Others tables). The caller checks that
    /// the packet has captured payload; one lookup of its first byte turns away what no signature starts with.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Inspect(in DecodedPacket packet, ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty || packet.Malformed || !AppSignatures.MayMatch(payload[0])) return;
        InspectCandidate(packet, payload);
    }

    private void InspectCandidate(in DecodedPacket packet, ReadOnlySpan<byte> payload)
    {
        var flags = AppSignatures.Match(packet, payload);
        if (flags != AppFlags.None) _apps.Add(packet.Source, flags);
        if (packet.Transport == Transport.Tcp && _irc.Parse(packet, payload, out var client)) _apps.Add(client, AppFlags.Irc);
    }

    /// <summary>Counts one packet into the given tables, with the hashes <see cref="Prefetch"/> computed for them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Count(in DecodedPacket packet, in PacketHashes hashes, ReportTables tables)
    {
        if (!packet.IsIp) return;
        if ((tables & ReportTables.Hosts) != 0) _hosts.Count(packet, hashes);
        // A malformed packet's addresses and protocol are good enough for the per-host counters
        // (as tshark counts them); its ports are not, so it stays out of flow, port and scan tables.
        if (packet.Malformed) return;
        if ((tables & ReportTables.Flows) != 0) _flows.Count(packet, hashes.Flow);
        if ((tables & ReportTables.Others) == 0) return;
        _scans.Count(packet, hashes);
        switch (packet.Transport)
        {
            case Transport.Tcp:
                _ports.Count(packet);
                _portSignatures.Count(packet);
                break;
            case Transport.Udp:
                _ports.Count(packet);
                break;
            case Transport.Icmp or Transport.IcmpV6:
                _icmp.Count(packet);
                break;
        }
        if (!_homeNet.IsEmpty) _services.Count(packet, _homeNet);
        if (_blacklist is not null)
        {
            var listed = _blacklist.Current;
            if (!listed.IsEmpty) _blacklisted.Count(packet, listed);
        }
    }

    /// <summary>
    /// Computes the packet's table hashes and starts loading the table slots that counting it will
    /// touch. The tables are larger than the CPU's caches, so a lookup is mostly a wait on memory; a
    /// caller that prefetches a few packets ahead of counting overlaps those waits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Prefetch(in DecodedPacket packet, ref PacketHashes hashes, ReportTables tables)
    {
        if (!packet.IsIp) return;
        // The source's hash keys both the host and the scan tables.
        hashes.Source = new HostKey(packet.Source).Hash();
        if ((tables & ReportTables.Hosts) != 0)
        {
            hashes.Destination = new HostKey(packet.Destination).Hash();
            _hosts.Prefetch(hashes);
        }
        if (packet.Malformed) return;
        if ((tables & ReportTables.Flows) != 0) hashes.Flow = _flows.Prefetch(packet);
        if ((tables & ReportTables.Others) == 0) return;
        _scans.Prefetch(packet, ref hashes);
        if (packet.Transport is Transport.Tcp or Transport.Udp) _ports.Prefetch(packet);
    }

    /// <summary>The slot counts of this set's tables (of <paramref name="tables"/>), for <see cref="Reserve"/>.</summary>
    public ReportSetShape Shape(ReportTables tables = ReportTables.All)
    {
        var hosts = (tables & ReportTables.Hosts) != 0 ? _hosts.Table.SlotCount : 0;
        var flows = (tables & ReportTables.Flows) != 0 ? _flows.Table.SlotCount : 0;
        if ((tables & ReportTables.Others) == 0) return new ReportSetShape(hosts, flows, 0, 0, 0, 0, 0, 0, 0);
        var (sources, items) = _scans.Table.SlotCounts;
        return new ReportSetShape(hosts, flows, sources, items, _icmp.Errors.SlotCount, _icmp.Echoes.SlotCount,
            _services.Table.SlotCount, _blacklisted.Table.SlotCount, _portSignatures.Table.SlotCount);
    }

    /// <summary>
    /// Sizes this set's tables like the shape of the set that counted the interval before: the next
    /// interval usually has as many keys, and growing step by step on the packet path rehashes every
    /// table several times over. A pooled set that is already as large allocates nothing.
    /// </summary>
    public void Reserve(ReportSetShape shape)
    {
        _hosts.Table.ReserveSlots(shape.Hosts);
        _flows.Table.ReserveSlots(shape.Flows);
        _scans.Table.Reserve(shape.ScanSources, shape.ScanItems);
        _icmp.Errors.ReserveSlots(shape.IcmpErrors);
        _icmp.Echoes.ReserveSlots(shape.IcmpEchoes);
        _services.Table.ReserveSlots(shape.Services);
        _blacklisted.Table.ReserveSlots(shape.Blacklist);
        _portSignatures.Table.ReserveSlots(shape.PortSignatures);
    }

    /// <summary>Adds another worker's tables into this one (sums; distinct sets are unioned).</summary>
    public void MergeFrom(ReportSet other)
    {
        _hosts.MergeFrom(other._hosts);
        _flows.MergeFrom(other._flows);
        _ports.MergeFrom(other._ports);
        _scans.MergeFrom(other._scans);
        _icmp.MergeFrom(other._icmp);
        _services.MergeFrom(other._services);
        _blacklisted.MergeFrom(other._blacklisted);
        _irc.MergeFrom(other._irc);
        _apps.MergeFrom(other._apps);
        _portSignatures.MergeFrom(other._portSignatures);
        _sessionCapacity += other._sessionCapacity;
        _sessionsOpen += other._sessionsOpen;
        _sessionsEvicted += other._sessionsEvicted;
    }

    public ReportResults Build(TimeSpan duration)
    {
        var context = new RowContext(_homeNet, Options.Top);
        var worms = _hosts.WormHosts(Options.WormThreshold, Options.WormWeight).ToList();
        var reports = new Dictionary<string, IReadOnlyList<ReportRow>>
        {
            [ReportCatalog.Talkers] = _hosts.Talkers(context, _apps),
            [ReportCatalog.Flows] = _flows.Top(context, null),
            [ReportCatalog.TcpFlows] = _flows.Top(context, static p => p == 6),
            [ReportCatalog.UdpFlows] = _flows.Top(context, static p => p == 17),
            [ReportCatalog.IcmpFlows] = _flows.Top(context, static p => p is 1 or 58),
            [ReportCatalog.Ports] = _ports.Top(context),
            [ReportCatalog.Syn] = _hosts.Syn(context, _scans, Options.WormThreshold, _apps),
            [ReportCatalog.IpScanners] = _scans.IpScanners(context),
            [ReportCatalog.PortScanners] = _scans.PortScanners(context),
            [ReportCatalog.Udp] = _hosts.Udp(context, _scans),
            [ReportCatalog.IcmpErrors] = _icmp.ErrorRows(context),
            [ReportCatalog.IcmpTunnels] = _icmp.TunnelRows(context),
            [ReportCatalog.Blacklist] = _blacklisted.Top(context),
            [ReportCatalog.Services] = _services.Top(context),
            [ReportCatalog.IrcChannels] = _irc.Channels(context, IrcState),
            [ReportCatalog.IrcHosts] = _irc.Hosts(context, IrcState),
            [ReportCatalog.PortSignatures] = _portSignatures.Rows(context, worms, _hosts.WorkWeight),
            [ReportCatalog.Overflow] = Overflow(),
        };
        _scans.AddSets(reports);
        var seconds = Math.Max(duration.TotalSeconds, 1e-9);
        var metrics = new Dictionary<string, double>
        {
            [MetricCatalog.NewFlows] = _flows.NewFlows / seconds,
            [MetricCatalog.UdpMaxWeight] = _hosts.MaxUdpWeight(),
            [MetricCatalog.IcmpErrors] = _icmp.ErrorPackets / seconds,
            [MetricCatalog.Syn] = _hosts.SynPackets / seconds,
            [MetricCatalog.Scanners] = CountScanners(worms),
            [MetricCatalog.IrcJoins] = _irc.Joins / seconds,
            [MetricCatalog.IrcPrivmsgs] = _irc.Privmsgs / seconds,
            [MetricCatalog.IrcPings] = _irc.Pings / seconds,
            [MetricCatalog.IrcPongs] = _irc.Pongs / seconds,
            [MetricCatalog.WormTotal] = worms.Count,
            [MetricCatalog.WormHome] = worms.Count(_homeNet.Contains),
            [MetricCatalog.WormRemote] = worms.Count(ip => !_homeNet.Contains(ip)),
        };
        return new ReportResults(reports, metrics);
    }

    /// <summary>
    /// Hosts flagged as scanners: at least ScannerThreshold distinct destinations or ports probed
    /// (see <see cref="ScanReport"/>), or Ourmon's worm signature in the syn report (work weight at least
    /// WormWeight and SYNs - FINs over WormThreshold).
    /// </summary>
    private int CountScanners(IEnumerable<IpAddressKey> worms)
    {
        var scanners = new HashSet<IpAddressKey>(_scans.Scanners(Options.ScannerThreshold));
        scanners.UnionWith(worms);
        return scanners.Count;
    }

    /// <summary>An IRC member's work weight and whether it scans: weight at least IrcScannerWeight, or a worm.</summary>
    private (double Weight, bool Scans) IrcState(IpAddressKey ip)
    {
        var (weight, worm) = _hosts.Weight(ip, Options.WormThreshold);
        return (weight, worm || (weight > 0 && weight >= Options.IrcScannerWeight));
    }

    /// <summary>One row per table that folded keys this interval (empty when every figure is exact).</summary>
    private List<ReportRow> Overflow()
    {
        var rows = new List<ReportRow>();
        void Add(string table, string reports, int capacity, int keys, long folded, long maxError, string unit, int estimated = 0)
        {
            if (folded == 0 && estimated == 0) return;
            rows.Add(new ReportRow(
            [
                new("table", table),
                new("reports", reports),
                new("capacity", (long)capacity),
                new("keys", (long)keys),
                new("folded", folded),
                new("max_error", maxError),
                new("error_unit", unit),
                new("estimated", (long)estimated),
            ]));
        }
        var h = _hosts.Table;
        Add("hosts", "talkers,syn,udp", h.Capacity, h.Count, h.Folded, h.MaxError, "packets");
        var f = _flows.Table;
        Add("flows", "flows,tcp_flows,udp_flows,icmp_flows", f.Capacity, f.Count, f.Folded, f.MaxError, "bytes");
        var s = _scans.Table;
        Add("scans", "ip_scanners,port_scanners", s.Capacity, s.Sources, s.Folded, s.MaxError, "distinct items", s.EstimatedSources);
        var e = _icmp.Errors;
        Add("icmp_errors", "icmp_errors", e.Capacity, e.Count, e.Folded, e.MaxError, "packets");
        var t = _icmp.Echoes;
        Add("icmp_tunnels", "icmp_tunnels", t.Capacity, t.Count, t.Folded, t.MaxError, "bytes");
        var v = _services.Table;
        Add("services", "services", v.Capacity, v.Count, v.Folded, v.MaxError, "bytes");
        var b = _blacklisted.Table;
        Add("blacklist", "blacklist", b.Capacity, b.Count, b.Folded, b.MaxError, "packets");
        Add("irc", "irc_channels,irc_hosts", _irc.Capacity, _irc.Keys, _irc.Folded, 0, "messages");
        var a = _apps.Table;
        Add("app_flags", "talkers,syn", a.Capacity, a.Count, a.Folded, a.MaxError, "payloads");
        var ps = _portSignatures.Table;
        Add("port_signatures", "port_signatures", ps.Capacity, ps.Count, ps.Folded, ps.MaxError, "packets");
        // Evicted sessions are written early as complete records: nothing is merged away, so no error.
        Add("sessions", "sessions", _sessionCapacity, _sessionsOpen, _sessionsEvicted, 0, "sessions");
        return rows;
    }

    public void Clear()
    {
        _hosts.Clear();
        _flows.Clear();
        _ports.Clear();
        _scans.Clear();
        _icmp.Clear();
        _services.Clear();
        _blacklisted.Clear();
        _irc.Clear();
        _apps.Clear();
        _portSignatures.Clear();
        _sessionCapacity = _sessionsOpen = 0;
        _sessionsEvicted = 0;
    }
}

/// <summary>Slot counts of a report set's tables (0 for a table not to size).</summary>
public readonly record struct ReportSetShape(
    int Hosts, int Flows, int ScanSources, int ScanItems, int IcmpErrors, int IcmpEchoes, int Services, int Blacklist, int PortSignatures);

/// <summary>The built reports of an interval and the series they add (max UDP weight, ICMP errors, ...).</summary>
public sealed record ReportResults(
    IReadOnlyDictionary<string, IReadOnlyList<ReportRow>> Reports,
    IReadOnlyDictionary<string, double> Metrics);
