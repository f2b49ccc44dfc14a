namespace Monitor.Storage.Model.Metrics;

public enum MetricKind
{
    /// <summary>A per-second rate; consolidated by average (and max), summed across probes.</summary>
    Rate,
    /// <summary>A level such as the interval's max UDP weight; consolidated by average and max, max across probes.</summary>
    Gauge,
}

public sealed record MetricInfo(string Name, string Title, string Unit, MetricKind Kind);

/// <summary>
/// The names of every stored series. Names are part of the API (/api/series?metric=...) and of
/// alert rules, so they never change. User BPF graphs add "bpf.GRAPH.LINE" series at run time.
/// </summary>
public static class MetricCatalog
{
    public const string Packets = "packets";
    public const string Bits = "bits";
    public const string Malformed = "malformed";
    public const string Drops = "drops";
    public const string InterfaceDrops = "drops.interface";
    public const string Received = "capture.received";
    public const string QueueFull = "queue.full";
    public const string RecordDropped = "record.dropped";
    public const string NewFlows = "new_flows";
    public const string UdpMaxWeight = "udp.max_weight";
    public const string IcmpErrors = "icmp.errors";
    public const string Syn = "syn";
    public const string Scanners = "scanners";
    public const string IrcJoins = "irc.joins";
    public const string IrcPrivmsgs = "irc.privmsgs";
    public const string IrcPings = "irc.pings";
    public const string IrcPongs = "irc.pongs";
    public const string WormTotal = "worm.total";
    public const string WormHome = "worm.home";
    public const string WormRemote = "worm.remote";
    public const string BpfPrefix = "bpf.";

    public static readonly IReadOnlyList<string> Protocols = ["tcp", "udp", "icmp", "icmpv6", "other"];

    public static string ProtocolPackets(string protocol) => $"protocol.{protocol}.packets";
    public static string ProtocolBits(string protocol) => $"protocol.{protocol}.bits";

    public static readonly IReadOnlyList<MetricInfo> All = Build();

    /// <summary>The series every probe sends once a second for live graphs.</summary>
    public static readonly IReadOnlyList<string> PerSecond =
    [
        Packets, Bits, Drops, NewFlows, IcmpErrors, Syn,
        ..Protocols.Select(ProtocolPackets), ..Protocols.Select(ProtocolBits),
    ];

    private static readonly Dictionary<string, MetricInfo> ByName = All.ToDictionary(m => m.Name);

    public static MetricInfo? Find(string name)
    {
        if (ByName.TryGetValue(name, out var info)) return info;
        return IsBpf(name) ? new MetricInfo(name, name[BpfPrefix.Length..], "per second", MetricKind.Rate) : null;
    }

    public static bool IsBpf(string name) =>
        name.StartsWith(BpfPrefix, StringComparison.Ordinal) && name.Length > BpfPrefix.Length;

    private static List<MetricInfo> Build()
    {
        var list = new List<MetricInfo>
        {
            new(Packets, "Packets", "packets/s", MetricKind.Rate),
            new(Bits, "Bits", "bits/s", MetricKind.Rate),
            new(Malformed, "Malformed packets", "packets/s", MetricKind.Rate),
            new(Drops, "Capture drops", "packets/s", MetricKind.Rate),
            new(InterfaceDrops, "Interface drops", "packets/s", MetricKind.Rate),
            new(Received, "Captured by libpcap", "packets/s", MetricKind.Rate),
            new(QueueFull, "Worker queue full", "packets/s", MetricKind.Rate),
            new(RecordDropped, "Packets not recorded", "packets/s", MetricKind.Rate),
            new(NewFlows, "New flows", "flows/s", MetricKind.Rate),
            new(UdpMaxWeight, "Max UDP weight", "weight", MetricKind.Gauge),
            new(IcmpErrors, "ICMP errors", "packets/s", MetricKind.Rate),
            new(Syn, "TCP SYNs", "packets/s", MetricKind.Rate),
            new(Scanners, "Scanning hosts", "hosts", MetricKind.Gauge),
            new(IrcJoins, "IRC JOINs", "messages/s", MetricKind.Rate),
            new(IrcPrivmsgs, "IRC PRIVMSGs", "messages/s", MetricKind.Rate),
            new(IrcPings, "IRC PINGs", "messages/s", MetricKind.Rate),
            new(IrcPongs, "IRC PONGs", "messages/s", MetricKind.Rate),
            new(WormTotal, "Worm hosts", "hosts", MetricKind.Gauge),
            new(WormHome, "Worm hosts at home", "hosts", MetricKind.Gauge),
            new(WormRemote, "Worm hosts outside", "hosts", MetricKind.Gauge),
        };
        foreach (var p in Protocols)
        {
            list.Add(new(ProtocolPackets(p), $"{p.ToUpperInvariant()} packets", "packets/s", MetricKind.Rate));
            list.Add(new(ProtocolBits(p), $"{p.ToUpperInvariant()} bits", "bits/s", MetricKind.Rate));
        }
        foreach (var l3 in new[] { "ipv4", "ipv6", "arp", "other" })
            list.Add(new($"l3.{l3}", $"L3 {l3}", "packets/s", MetricKind.Rate));
        foreach (var size in new[] { "le100", "101_500", "501_1000", "gt1000" })
            list.Add(new($"size.{size}", $"Packets of size {size}", "packets/s", MetricKind.Rate));
        foreach (var cast in new[] { "unicast", "multicast", "broadcast" })
            list.Add(new($"cast.{cast}", $"{cast} packets", "packets/s", MetricKind.Rate));
        return list;
    }
}
