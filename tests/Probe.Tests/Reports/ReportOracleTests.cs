using System.Text.Json;
using Monitor.Probe.Capture;
using Monitor.Probe.Decode;
using Monitor.Probe.Reports;
using Monitor.Probe.Tests.Capture;
using Monitor.Storage.Model.Reports;

namespace Monitor.Probe.Tests.Reports;

/// <summary>
/// The reports against the tshark oracles of shared/pcaps (NAME.oracle.json, made by
/// shared/tools/oracle.py): each capture is read and decoded as the probe does and counted into one
/// report set covering the whole file.
/// </summary>
public class ReportOracleTests
{
    private static readonly ReportOptions AllRows = new() { Top = 100000 };

    private sealed class Counter(ReportSet set) : IPacketReceiver
    {
        private DecodedPacket _packet;

        public void Receive(in RawPacket packet)
        {
            PacketDecoder.Decode(packet, ref _packet);
            set.Count(_packet);
        }

        public void Idle(DateTimeOffset now) { }
    }

    private static ReportResults Reports(string name, ReportOptions? options = null)
    {
        var set = new ReportSet(options ?? AllRows);
        using var source = new PcapFileSource([SharedCaptures.PathOf(name)]);
        try
        {
            source.Run(new Counter(set), CancellationToken.None);
        }
        catch (CaptureFileException) when (SharedCaptures.Damaged.Contains(name))
        {
            // Cut-short files: the oracle also holds only the whole packets before the damage.
        }
        return set.Build(TimeSpan.FromHours(1));
    }

    private static JsonElement Oracle(string name) =>
        JsonDocument.Parse(File.ReadAllText(SharedCaptures.PathOf(name + ".oracle.json"))).RootElement;

    public static TheoryData<string> Captures()
    {
        var data = new TheoryData<string>();
        foreach (var name in SharedCaptures.All())
            if (SharedCaptures.Folder is null || File.Exists(SharedCaptures.PathOf(name + ".oracle.json"))) data.Add(name);
        return data;
    }

    [SharedCapturesTheory]
    [MemberData(nameof(Captures))]
    public void Syn_without_ack_per_source_equals_the_oracle_syn_sent(string name)
    {
        var syn = Reports(name).Report(ReportCatalog.Syn).ToDictionary(r => r.Text("ip"), r => r.Long("syn_sent"));
        var oracle = Oracle(name).GetProperty("syn_sent").EnumerateArray().Select(e => (Ip: e[0].GetString()!, Count: e[1].GetInt64())).ToList();

        foreach (var (ip, count) in oracle)
            Assert.True(syn.GetValueOrDefault(ip) == count, $"{ip}: probe {syn.GetValueOrDefault(ip)} SYNs, tshark {count}");
        // The oracle lists the top 20; below that, every source of ours must be at or under its smallest.
        if (oracle.Count < 20)
            Assert.Equal(oracle.Count, syn.Count);
    }

    [SharedCapturesTheory]
    [MemberData(nameof(Captures))]
    public void Icmp_type_3_per_sender_equals_the_oracle_icmp_unreach_sent(string name)
    {
        var sent = Reports(name).Report(ReportCatalog.IcmpErrors)
            .Where(r => r.Text("proto") == "icmp" && r.Long("type") == 3)
            .GroupBy(r => r.Text("ip"))
            .ToDictionary(g => g.Key, g => g.Sum(r => r.Long("packets")));
        var oracle = Oracle(name).GetProperty("icmp_unreach_sent").EnumerateArray().Select(e => (Ip: e[0].GetString()!, Count: e[1].GetInt64())).ToList();

        foreach (var (ip, count) in oracle)
            Assert.True(sent.GetValueOrDefault(ip) == count, $"{ip}: probe {sent.GetValueOrDefault(ip)}, tshark {count}");
        if (oracle.Count < 20) Assert.Equal(oracle.Count, sent.Count);
    }

    /// <summary>
    /// The oracle gives two variants of "ICMP errors received": (a) types 3, 5, 11 and (b) types
    /// 3, 4, 5, 11, 12. The probe counts (b), every ICMPv4 error type (plus ICMPv6 types 1-4 for v6 hosts).
    /// </summary>
    [SharedCapturesTheory]
    [MemberData(nameof(Captures))]
    public void Udp_weight_per_host_equals_the_oracle_udp_weight_with_every_icmp_error_type(string name)
    {
        var udp = Reports(name).Report(ReportCatalog.Udp).ToDictionary(r => r.Text("ip"));
        foreach (var e in Oracle(name).GetProperty("udp_weight").EnumerateArray())
        {
            var ip = e[0].GetString()!;
            Assert.True(udp.TryGetValue(ip, out var row), $"{ip} missing from the udp report");
            Assert.Equal((e[1].GetInt64(), e[2].GetInt64(), e[4].GetInt64(), e[6].GetInt64()),
                (row.Long("sent"), row.Long("received"), row.Long("icmp_errors_received"), row.Long("weight")));
        }
    }

    [SharedCapturesTheory]
    [InlineData("cs-synscan.pcap", "172.16.0.8")]
    [InlineData("cs-synscan.pcapng", "172.16.0.8")]
    [InlineData("nfpc-evidence04.pcap", "10.42.42.253")]
    [InlineData("ppa-portscan.pcap", "10.100.25.14")]
    public void The_syn_scanner_tops_the_syn_and_port_scanner_reports(string name, string scanner)
    {
        var results = Reports(name, new ReportOptions { Top = 10 });

        Assert.Equal(scanner, results.Report(ReportCatalog.Syn)[0].Text("ip"));
        Assert.Equal("W", results.Report(ReportCatalog.Syn)[0].Text("flag"));
        Assert.Equal(scanner, results.Report(ReportCatalog.PortScanners)[0].Text("ip"));
        Assert.True(results.Metrics["scanners"] >= 1);
    }

    [SharedCapturesFact]
    public void The_udp_scanner_tops_the_port_scanner_and_udp_reports()
    {
        var results = Reports("ef-UDP_SCAN.pcap", new ReportOptions { Top = 10 });

        var top = results.Report(ReportCatalog.PortScanners)[0];
        Assert.Equal("192.168.1.10", top.Text("ip"));
        Assert.True(top.Long("distinct_udp_ports") > 900);
        Assert.Equal("192.168.1.10", results.Report(ReportCatalog.Udp)[0].Text("ip"));
        Assert.Equal(1014784, results.Metrics["udp.max_weight"]);
    }

    [SharedCapturesTheory]
    [InlineData("ndpi-icmp-tunnel.pcap")]
    [InlineData("sithari-hping3-sample-text-file-448-bytes-5-sec-95-byte-packets.pcap")]
    [InlineData("sithari-icmp-file-transfer-sample-text-file-448-bytes.pcap")]
    [InlineData("sithari-pyexfil-sample-text-file-448-bytes.pcap")]
    public void Icmp_tunnels_and_exfiltration_are_suspect(string name)
    {
        var tunnels = Reports(name).Report(ReportCatalog.IcmpTunnels);

        Assert.NotEmpty(tunnels);
        var biggest = tunnels.MaxBy(r => r.Long("bytes_ab") + r.Long("bytes_ba"))!;
        Assert.True((bool)biggest["suspect"]!, $"{biggest.Text("a")} -> {biggest.Text("b")} not suspect");
    }

    [SharedCapturesTheory]
    [InlineData("cs-icmp_traceroute.pcap")]
    [InlineData("strato-test12-icmp-portscan.pcap")]
    public void Ordinary_pings_are_not_suspect(string name)
    {
        var tunnels = Reports(name).Report(ReportCatalog.IcmpTunnels);

        Assert.NotEmpty(tunnels);
        Assert.All(tunnels, r => Assert.False((bool)r["suspect"]!, $"{r.Text("a")} -> {r.Text("b")}: {r.Text("reason")}"));
    }
}
