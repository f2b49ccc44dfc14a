using System.Text.Json;
using Monitor.Probe.Decode;
using Monitor.Probe.Reports;
using Monitor.Storage.Model.Reports;
using static Monitor.Probe.Tests.Reports.TestPackets;

namespace Monitor.Probe.Tests.Reports;

public class MergeAndCapacityTests
{
    /// <summary>Seeded mixed traffic: web, DNS, pings with replies, a SYN scan, a UDP scan with unreachables, IPv6.</summary>
    private static List<DecodedPacket> MixedTraffic(int seed, int count)
    {
        var random = new Random(seed);
        var packets = new List<DecodedPacket>(count);
        for (var i = 0; i < count; i++)
        {
            var client = $"192.0.2.{1 + random.Next(40)}";
            var server = $"198.51.100.{1 + random.Next(20)}";
            var ephemeral = (ushort)(40000 + random.Next(2000));
            packets.Add(random.Next(9) switch
            {
                0 => Tcp(client, server, ephemeral, 443, TcpFlags.Syn, 60, i),
                1 => Tcp(server, client, 443, ephemeral, TcpFlags.Syn | TcpFlags.Ack, 60, i),
                2 => Tcp(server, client, 443, ephemeral, TcpFlags.Ack, 60 + random.Next(1400), i),
                3 => Udp(client, server, ephemeral, 53, 80, i),
                4 => Udp(server, client, 53, ephemeral, 200, i),
                5 => Syn("203.0.113.66", server, (ushort)(1 + random.Next(1024))),
                6 => Icmp(server, "203.0.113.66", 3, 3),
                7 => Icmp(client, server, (byte)(random.Next(2) == 0 ? 8 : 0), 0, 56, i),
                _ => Udp($"2001:db8::{1 + random.Next(9):x}", "2001:db8::ff", ephemeral, (ushort)(1 + random.Next(500)), 120, i),
            });
        }
        return packets;
    }

    private static string Json(ReportResults results) =>
        JsonSerializer.Serialize(new { results.Reports, results.Metrics });

    [Fact]
    public void Merge_of_two_worker_sets_equals_one_set_over_the_same_packets()
    {
        var options = new ReportOptions { Top = 1000, HomeNet = ["192.0.2.0/24"] };
        var packets = MixedTraffic(seed: 7, count: 20000);
        var single = Count(options, packets);
        // Shard as the pipeline does: a symmetric hash of the address pair picks the worker.
        var workers = new[] { new ReportSet(options), new ReportSet(options) };
        foreach (var p in packets)
            workers[(int)((p.Source.Mix() ^ p.Destination.Mix()) & 1)].Count(p);
        workers[0].MergeFrom(workers[1]);

        Assert.Equal(Json(single.Build(TimeSpan.FromSeconds(30))), Json(workers[0].Build(TimeSpan.FromSeconds(30))));
    }

    [Fact]
    public void Clear_empties_every_report_for_the_next_interval()
    {
        var set = Count(new ReportOptions(), MixedTraffic(seed: 3, count: 2000));
        set.Clear();
        var results = set.Build(TimeSpan.FromSeconds(30));

        Assert.All(results.Reports.Values, rows => Assert.Empty(rows));
        Assert.All(results.Metrics.Values, v => Assert.Equal(0, v));
    }

    [Fact]
    public void Below_capacity_nothing_is_folded_and_the_overflow_report_is_empty()
    {
        var results = Count(new ReportOptions { TableCapacity = 8192 }, MixedTraffic(seed: 5, count: 5000)).Build(TimeSpan.FromSeconds(30));

        Assert.Empty(results.Report(ReportCatalog.Overflow));
    }

    [Fact]
    public void Capacity_overflow_keeps_the_true_heavy_hitters_and_reports_the_folded_count()
    {
        // 20,000 spoofed one-SYN sources against a 1,000-key table, with three real scanners among them.
        var options = new ReportOptions { Top = 3, TableCapacity = 1000 };
        var random = new Random(11);
        var packets = new List<DecodedPacket>();
        for (var i = 0; i < 20000; i++)
        {
            packets.Add(Syn(IpAddressKey.FromV4(0x0A000000u + (uint)i).ToString(), "198.51.100.1", 25565));
            if (i % 40 == 0) packets.Add(Syn("203.0.113.1", $"198.51.100.{1 + random.Next(200)}", (ushort)(1 + i % 1000)));
            if (i % 50 == 0) packets.Add(Syn("203.0.113.2", "198.51.100.2", (ushort)(1 + i % 2000)));
            if (i % 80 == 0) packets.Add(Syn("203.0.113.3", "198.51.100.3", 22));
        }
        var set = Count(options, packets);
        var results = set.Build(TimeSpan.FromSeconds(30));

        var syn = results.Report(ReportCatalog.Syn).OrderByDescending(r => r.Long("syn_sent")).Select(r => r.Text("ip")).ToList();
        Assert.Equal(["203.0.113.1", "203.0.113.2", "203.0.113.3"], syn);
        var talkers = results.Report(ReportCatalog.Talkers);
        Assert.Equal("198.51.100.1", talkers[0].Text("ip"));
        // The victim's count may be low by at most the stated error.
        var hosts = results.Report(ReportCatalog.Overflow).Single(r => r.Text("table") == "hosts");
        var victimTruth = packets.Count(p => p.Destination == IpAddressKey.Parse("198.51.100.1"));
        Assert.InRange(victimTruth - talkers[0].Long("packets_received"), 0, hosts.Long("max_error"));
        Assert.True(hosts.Long("folded") >= 20000 - 1000);
        Assert.Equal(1000, hosts.Long("capacity"));
        Assert.Equal("packets", hosts.Text("error_unit"));
        Assert.Contains(results.Report(ReportCatalog.Overflow), r => r.Text("table") == "flows" && r.Long("folded") > 0);
        var ports = results.Report(ReportCatalog.PortScanners);
        Assert.Equal("203.0.113.2", ports[0].Text("ip"));
        Assert.Equal(40, ports[0].Long("distinct_tcp_ports"));
        Assert.Equal(20000 + 500 + 400 + 250, results.Metrics["syn"] * 30, precision: 6);
    }
}
