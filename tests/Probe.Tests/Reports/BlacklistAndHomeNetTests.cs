using Monitor.Probe.Decode;
using Monitor.Probe.Reports;
using Monitor.Storage.Model.Reports;
using static Monitor.Probe.Tests.Reports.TestPackets;

namespace Monitor.Probe.Tests.Reports;

public sealed class BlacklistAndHomeNetTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("monitor-blacklist-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Blacklist_matches_addresses_and_cidr_blocks_with_first_and_last_seen()
    {
        var file = Path.Combine(_dir, "list.txt");
        File.WriteAllText(file, "# known bad\n203.0.113.7\n198.51.100.0/24  # a whole block\n2001:db8:bad::/48\n");
        using var blacklist = new Blacklist(file, TimeSpan.FromHours(1));
        var set = new ReportSet(new ReportOptions { Top = 10 }, blacklist);
        set.Count(Tcp("192.0.2.1", "203.0.113.7", 40000, 443, TcpFlags.Syn, 60, ticks: TimeSpan.TicksPerSecond));
        set.Count(Tcp("192.0.2.1", "203.0.113.7", 40000, 443, TcpFlags.Ack, 60, ticks: 3 * TimeSpan.TicksPerSecond));
        set.Count(Udp("198.51.100.200", "192.0.2.1", 53, 40000, 90));
        set.Count(Udp("2001:db8:bad:1::5", "2001:db8::1", 53, 40000, 90));
        set.Count(Udp("203.0.113.8", "192.0.2.1", 53, 40000, 90));
        var rows = set.Build(TimeSpan.FromSeconds(30)).Report(ReportCatalog.Blacklist);

        Assert.Equal(3, rows.Count);
        var first = rows[0];
        Assert.Equal(("192.0.2.1", "203.0.113.7", "dst", 2L), (first.Text("src"), first.Text("dst"), first.Text("listed"), first.Long("packets")));
        Assert.Equal("2008-03-08T03:30:01.000000Z", first.Text("first_seen"));
        Assert.Equal("2008-03-08T03:30:03.000000Z", first.Text("last_seen"));
        Assert.Contains(rows, r => r.Text("src") == "198.51.100.200" && r.Text("listed") == "src");
        Assert.Contains(rows, r => r.Text("src") == "2001:db8:bad:1::5");
    }

    [Fact]
    public void Blacklist_is_reloaded_when_the_file_changes_and_keeps_the_old_list_on_a_bad_line()
    {
        var file = Path.Combine(_dir, "list.txt");
        File.WriteAllText(file, "203.0.113.7\n");
        using var blacklist = new Blacklist(file, TimeSpan.FromMilliseconds(50));
        Assert.True(blacklist.Current.Contains(IpAddressKey.Parse("203.0.113.7")));

        File.WriteAllText(file, "203.0.113.0/28\n192.0.2.99\n");
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddSeconds(5));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!blacklist.Current.Contains(IpAddressKey.Parse("192.0.2.99")) && DateTime.UtcNow < deadline) Thread.Sleep(20);
        Assert.True(blacklist.Current.Contains(IpAddressKey.Parse("192.0.2.99")));
        Assert.True(blacklist.Current.Contains(IpAddressKey.Parse("203.0.113.15")));
        Assert.False(blacklist.Current.Contains(IpAddressKey.Parse("203.0.113.16")));

        File.WriteAllText(file, "not-an-address\n");
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddSeconds(10));
        blacklist.Reload();
        Assert.Contains("list.txt:1", blacklist.LastError);
        Assert.True(blacklist.Current.Contains(IpAddressKey.Parse("192.0.2.99")));
    }

    [Fact]
    public void With_a_home_network_every_row_says_whether_its_hosts_are_inside()
    {
        var options = new ReportOptions { Top = 10, HomeNet = ["192.0.2.0/24", "2001:db8:1::/48"] };
        var results = Count(options,
        [
            Syn("192.0.2.1", "198.51.100.1"),
            Udp("192.0.2.1", "198.51.100.1", 40000, 53),
            Icmp("198.51.100.1", "192.0.2.1", 3, 3),
            Icmp("2001:db8:1::5", "2001:db8:2::5", 128, 0, 56),
        ]).Build(TimeSpan.FromSeconds(30));

        Assert.True((bool)results.Row(ReportCatalog.Talkers, "ip", "192.0.2.1")["inside"]!);
        Assert.False((bool)results.Row(ReportCatalog.Talkers, "ip", "198.51.100.1")["inside"]!);
        Assert.True((bool)results.Row(ReportCatalog.Syn, "ip", "192.0.2.1")["inside"]!);
        var flow = results.Report(ReportCatalog.UdpFlows)[0];
        Assert.Equal((true, false), ((bool)flow["src_inside"]!, (bool)flow["dst_inside"]!));
        var error = results.Report(ReportCatalog.IcmpErrors)[0];
        Assert.Equal((false, true), ((bool)error["ip_inside"]!, (bool)error["target_inside"]!));
        var echo = results.Report(ReportCatalog.IcmpTunnels)[0];
        Assert.Equal((true, false), ((bool)echo["a_inside"]!, (bool)echo["b_inside"]!));
        foreach (var (name, rows) in results.Reports)
            foreach (var row in rows)
                if (name != ReportCatalog.Overflow && name != ReportCatalog.Ports && name != ReportCatalog.Services)
                    Assert.True(row.Fields.Any(f => f.Name.EndsWith("inside", StringComparison.Ordinal)), $"{name} row without inside");
    }

    [Fact]
    public void Without_a_home_network_rows_have_no_inside_fields()
    {
        var results = Count(new ReportOptions(), [Syn("192.0.2.1", "198.51.100.1")]).Build(TimeSpan.FromSeconds(30));

        Assert.All(results.Reports.Values.SelectMany(r => r), row =>
            Assert.DoesNotContain(row.Fields, f => f.Name.EndsWith("inside", StringComparison.Ordinal)));
        Assert.Empty(results.Report(ReportCatalog.Services));
    }

    [Fact]
    public void Services_count_bytes_lan_to_wan_and_wan_to_lan_per_proto_port_inside_and_outside_host()
    {
        var options = new ReportOptions { Top = 10, HomeNet = ["192.0.2.0/24"] };
        var results = Count(options,
        [
            Tcp("192.0.2.1", "198.51.100.1", 51000, 443, TcpFlags.Ack, 100),
            Tcp("198.51.100.1", "192.0.2.1", 443, 51000, TcpFlags.Ack, 1500),
            Tcp("198.51.100.1", "192.0.2.1", 443, 51000, TcpFlags.Ack, 1500),
            Udp("198.51.100.2", "192.0.2.5", 40000, 53, 80),
            Udp("192.0.2.1", "192.0.2.5", 40000, 53, 80),          // inside to inside: not a service crossing
            Udp("198.51.100.1", "198.51.100.2", 40000, 53, 80),    // outside to outside
        ]).Build(TimeSpan.FromSeconds(30));
        var services = results.Report(ReportCatalog.Services);

        Assert.Equal(2, services.Count);
        var https = services[0];
        Assert.Equal(("tcp", 443L, "192.0.2.1", "198.51.100.1"), (https.Text("proto"), https.Long("port"), https.Text("inside"), https.Text("outside")));
        Assert.Equal((1L, 100L, 2L, 3000L, 3100L),
            (https.Long("packets_out"), https.Long("bytes_out"), https.Long("packets_in"), https.Long("bytes_in"), https.Long("bytes")));
        Assert.Equal(("udp", 53L, "192.0.2.5", 0L, 80L),
            (services[1].Text("proto"), services[1].Long("port"), services[1].Text("inside"), services[1].Long("bytes_out"), services[1].Long("bytes_in")));
    }

    [Fact]
    public void Options_validation_names_the_bad_setting()
    {
        var errors = new ReportOptions { Top = 0, TableCapacity = 1, HomeNet = ["10.0.0.0/33"], Blacklist = Path.Combine(_dir, "missing") }.Validate();

        Assert.Contains(errors, e => e.StartsWith("Top", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Probe:TableCapacity", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("HomeNet", StringComparison.Ordinal) && e.Contains("10.0.0.0/33"));
        Assert.Contains(errors, e => e.StartsWith("Blacklist", StringComparison.Ordinal));
        Assert.Empty(new ReportOptions().Validate());
    }
}
