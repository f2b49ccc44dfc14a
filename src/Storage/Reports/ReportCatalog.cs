namespace Monitor.Storage.Reports;

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
    string DefaultSort);

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
    public const string Overflow = "overflow";

    private static readonly string[] FlowKey = ["src", "dst", "proto", "sport", "dport"];
    private static readonly string[] PacketsBytes = ["packets", "bytes"];

    public static readonly IReadOnlyList<ReportInfo> All =
    [
        new(Talkers, "Top talkers", ["ip"],
            ["packets", "bytes", "packets_sent", "bytes_sent", "packets_received", "bytes_received"], [], ["ip"], "bytes"),
        new(Flows, "Top flows", FlowKey, PacketsBytes, [], ["src", "dst"], "bytes"),
        new(TcpFlows, "Top TCP flows", FlowKey, PacketsBytes, [], ["src", "dst"], "bytes"),
        new(UdpFlows, "Top UDP flows", FlowKey, PacketsBytes, [], ["src", "dst"], "bytes"),
        new(IcmpFlows, "Top ICMP flows", FlowKey, PacketsBytes, [], ["src", "dst"], "bytes"),
        new(Ports, "Top ports", ["proto", "port"], PacketsBytes, [], [], "packets"),
        new(Syn, "SYN senders (topn_syn)", ["ip"],
            ["syn_sent", "synack_sent", "fin_sent", "rst_sent", "rst_received", "tcp_sent", "tcp_received", "icmp_errors_received"],
            ["distinct_ports", "distinct_hosts", "work_weight"], ["ip"], "work_weight"),
        new(IpScanners, "IP scanners", ["ip"], [],
            ["distinct_destinations", "distinct_tcp", "distinct_udp", "distinct_icmp"], ["ip"], "distinct_destinations"),
        new(PortScanners, "Port scanners", ["ip"], [],
            ["distinct_ports", "distinct_tcp_ports", "distinct_udp_ports"], ["ip"], "distinct_ports"),
        new(Udp, "UDP senders (UDP weight)", ["ip"], ["sent", "received", "icmp_errors_received"],
            ["distinct_ports", "weight"], ["ip"], "weight"),
        new(IcmpErrors, "ICMP error senders", ["ip", "target", "proto", "type", "code"], ["packets", "bytes"], [], ["ip", "target"], "packets"),
        new(IcmpTunnels, "ICMP echo conversations", ["a", "b"],
            ["packets_ab", "bytes_ab", "packets_ba", "bytes_ba"], ["avg_size_ab", "avg_size_ba"], ["a", "b"], "bytes_ab"),
        new(Blacklist, "Blacklist hits", FlowKey, PacketsBytes, [], ["src", "dst"], "packets"),
        new(Services, "Bandwidth per service", ["proto", "port", "inside", "outside"],
            ["packets_out", "bytes_out", "packets_in", "bytes_in", "bytes"], [], ["inside", "outside"], "bytes"),
        new(Overflow, "Folded table keys", ["table"], ["folded"], ["capacity", "keys", "max_error", "estimated"], [], "folded"),
    ];

    private static readonly Dictionary<string, ReportInfo> ByName = All.ToDictionary(r => r.Name);

    public static ReportInfo? Find(string name) => ByName.GetValueOrDefault(name);
}
