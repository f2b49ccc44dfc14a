using Monitor.Storage.Model.Snapshots;

namespace Monitor.Storage.Model.Reports;

/// <summary>
/// Describes a top-N report so that stores and the site can summarize and show any of them without
/// knowing its meaning: which fields identify a row across intervals, which add up, which keep the
/// maximum, which hold addresses (for /hosts/{ip}), and the default sort.
/// </summary>
public sealed record ReportInfo(
    string Name,
    string Title,
    IReadOnlyList<string> KeyFields,
    IReadOnlyList<string> SumFields,
    IReadOnlyList<string> MaxFields,
    IReadOnlyList<string> HostFields,
    string DefaultSort)
{
    /// <summary>
    /// The report's documented order, most significant first (largest first; <c>first_seen</c>-like text smallest
    /// first); null means <see cref="DefaultSort"/> alone. Ties after it go by the key fields' text.
    /// </summary>
    public IReadOnlyList<string>? Order { get; init; }

    /// <summary>
    /// Distinct counts stored with their sets (field <c>{name}_set</c>, see <c>DistinctUnion</c>): over a range they
    /// are the size of the union, not the largest interval's count.
    /// </summary>
    public IReadOnlyList<string> UnionFields { get; init; } = [];

    /// <summary>Fields that keep the smallest value over a range (<c>first_seen</c>); text compares ordinally (ISO times).</summary>
    public IReadOnlyList<string> MinFields { get; init; } = [];

    /// <summary>Averages weighted by a sum field (avg_size_ab by packets_ab): merged as the weighted mean.</summary>
    public IReadOnlyList<(string Average, string Weight)> MeanFields { get; init; } = [];

    /// <summary>
    /// Text fields holding a space-separated list (channels, servers, members) or a string of flag letters
    /// (app_flags): over a range they are the union, lists in order of first appearance, flag letters in Ourmon's order (B G K I T S).
    /// </summary>
    public IReadOnlyList<string> ListFields { get; init; } = [];

    /// <summary>Figures derived from others (ratios, flags), recomputed after a merge from the merged fields.</summary>
    public Func<ReportRow, IReadOnlyList<ReportField>>? Derive { get; init; }

    /// <summary>The sort chain for a requested column: it first, then the documented order.</summary>
    public IReadOnlyList<string> OrderFor(string? sortBy)
    {
        var order = Order ?? [DefaultSort];
        return string.IsNullOrWhiteSpace(sortBy) ? order : [sortBy, .. order.Where(f => f != sortBy)];
    }
}

/// <summary>The fixed JSON names of the probe's reports (see README, "Reports").</summary>
public static class ReportCatalog
{
    public const string Talkers = "talkers";
    public const string Flows = "flows";
    public const string TcpFlows = "tcp_flows";
    public const string UdpFlows = "udp_flows";
    public const string IcmpFlows = "icmp_flows";
    public const string Ports = "ports";
    public const string Syn = "syn";
    public const string IpScanners = "ip_scanners";
    public const string PortScanners = "port_scanners";
    public const string Udp = "udp";
    public const string IcmpErrors = "icmp_errors";
    public const string IcmpTunnels = "icmp_tunnels";
    public const string Blacklist = "blacklist";
    public const string Services = "services";
    public const string IrcChannels = "irc_channels";
    public const string IrcHosts = "irc_hosts";
    public const string PortSignatures = "port_signatures";
    public const string Overflow = "overflow";

    private static readonly string[] FlowKey = ["src", "dst", "proto", "sport", "dport"];
    private static readonly string[] PacketsBytes = ["packets", "bytes"];

    public static readonly IReadOnlyList<ReportInfo> All =
    [
        new(Talkers, "Top talkers", ["ip"],
            ["packets", "bytes", "packets_sent", "bytes_sent", "packets_received", "bytes_received"], [], ["ip"], "bytes")
        {
            ListFields = ["app_flags"],
        },
        new(Flows, "Top flows", FlowKey, PacketsBytes, [], ["src", "dst"], "bytes"),
        new(TcpFlows, "Top TCP flows", FlowKey, PacketsBytes, [], ["src", "dst"], "bytes"),
        new(UdpFlows, "Top UDP flows", FlowKey, PacketsBytes, [], ["src", "dst"], "bytes"),
        new(IcmpFlows, "Top ICMP flows", FlowKey, PacketsBytes, [], ["src", "dst"], "bytes"),
        new(Ports, "Top ports", ["proto", "port"], PacketsBytes, [], [], "packets"),
        new(Syn, "SYN senders (topn_syn)", ["ip"],
            ["syn_sent", "synack_sent", "fin_sent", "rst_sent", "rst_received", "tcp_sent", "tcp_received", "icmp_errors_received"],
            ["distinct_ports", "distinct_hosts", "work_weight"], ["ip"], "work_weight")
        {
            Order = ["work_weight", "syn_sent"],
            UnionFields = ["distinct_hosts", "distinct_ports"],
            ListFields = ["app_flags"],
            Derive = SynDerived,
        },
        new(IpScanners, "IP scanners", ["ip"], [],
            ["distinct_destinations", "distinct_tcp", "distinct_udp", "distinct_icmp"], ["ip"], "distinct_destinations")
        {
            UnionFields = ["distinct_destinations", "distinct_tcp", "distinct_udp", "distinct_icmp"],
        },
        new(PortScanners, "Port scanners", ["ip"], [],
            ["distinct_ports", "distinct_tcp_ports", "distinct_udp_ports"], ["ip"], "distinct_ports")
        {
            UnionFields = ["distinct_tcp_ports", "distinct_udp_ports"],
            Derive = row => [new("distinct_ports", (long)(row.Number("distinct_tcp_ports") + row.Number("distinct_udp_ports")))],
        },
        new(Udp, "UDP senders (UDP weight)", ["ip"], ["sent", "received", "icmp_errors_received"],
            ["distinct_ports", "weight"], ["ip"], "weight")
        {
            Order = ["weight", "sent"],
            UnionFields = ["distinct_ports"],
            Derive = row => [new("weight", ((long)row.Number("sent") - (long)row.Number("received")) * (long)row.Number("icmp_errors_received"))],
        },
        new(IcmpErrors, "ICMP error senders", ["ip", "target", "proto", "type", "code"], ["packets", "bytes"], [], ["ip", "target"], "packets"),
        new(IcmpTunnels, "ICMP echo conversations", ["a", "b"],
            ["packets_ab", "bytes_ab", "packets_ba", "bytes_ba"], ["avg_size_ab", "avg_size_ba", "last_seen"], ["a", "b"], "bytes_ab")
        {
            Order = ["suspect", "bytes_ab"],
            MinFields = ["first_seen"],
            MeanFields = [("avg_size_ab", "packets_ab"), ("avg_size_ba", "packets_ba")],
        },
        new(Blacklist, "Blacklist hits", FlowKey, PacketsBytes, ["last_seen"], ["src", "dst"], "packets")
        {
            MinFields = ["first_seen"],
        },
        new(Services, "Bandwidth per service", ["proto", "port", "inside", "outside"],
            ["packets_out", "bytes_out", "packets_in", "bytes_in", "bytes"], [], ["inside", "outside"], "bytes"),
        new(IrcChannels, "IRC channels (botnets: members that scan)", ["channel"], ["joins", "privmsgs"],
            ["hosts", "scanners", "max_work_weight"], [], "scanners")
        {
            Order = ["scanners", "hosts"],
            UnionFields = ["hosts", "scanners"],
            ListFields = ["servers", "members"],
            Derive = row => [new("evil", row.Number("scanners") > 0)],
        },
        new(IrcHosts, "IRC hosts", ["ip"], ["joins", "privmsgs", "pings", "pongs"], ["work_weight"], ["ip"], "work_weight")
        {
            Order = ["work_weight", "privmsgs", "joins"],
            ListFields = ["channels"],
        },
        new(PortSignatures, "Port signatures of worm hosts (portreport)", ["ip", "port"], ["syns", "host_syns"],
            ["work_weight"], ["ip"], "host_syns")
        {
            Order = ["host_syns", "syns"],
            Derive = row => [new("percent", row.Number("host_syns") <= 0 ? 0.0 : Math.Round(100.0 * row.Number("syns") / row.Number("host_syns"), 2))],
        },
        new(Overflow, "Folded table keys", ["table"], ["folded"], ["capacity", "keys", "max_error", "estimated"], [], "folded"),
    ];

    /// <summary>work_weight, flag (and worm, whose threshold is the probe's: kept true if any period had it) from the sums.</summary>
    private static IReadOnlyList<ReportField> SynDerived(ReportRow row)
    {
        var tcp = row.Number("tcp_sent") + row.Number("tcp_received");
        var weight = tcp == 0 ? 0 : Math.Round(100.0 * (row.Number("syn_sent") + row.Number("fin_sent") + row.Number("rst_received")) / tcp, 2);
        return [new("work_weight", weight), new("flag", weight >= 90 ? "W" : weight >= 50 ? "w" : "")];
    }

    private static readonly Dictionary<string, ReportInfo> ByName = All.ToDictionary(r => r.Name);

    public static ReportInfo? Find(string name) => ByName.GetValueOrDefault(name);
}
