using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Monitor.Probe.Capture;
using Monitor.Probe.Evidence;
using Monitor.Probe.Hosting;
using Monitor.Probe.Reports;
using Monitor.TestKit.Packets;
using PacketDotNet;
using SharpPcap;
using SharpPcap.LibPcap;

namespace Monitor.Probe.Tests.Evidence;

public sealed class EvidenceCaptureTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "monitor-evidence-" + Guid.NewGuid().ToString("N")[..12]);

    public EvidenceCaptureTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// 300 UDP probes from 192.0.2.7 to ports of 198.51.100.20, each answered with an ICMP port
    /// unreachable, interleaved with TCP of the scanner and UDP of other hosts that must not be kept.
    /// </summary>
    private string WriteMixedCapture()
    {
        var path = Path.Combine(_dir, "mixed.pcap");
        using var writer = new PcapFileWriter(path);
        for (var i = 0; i < 300; i++)
        {
            var t = T0.AddMilliseconds(10 * i);
            var probe = PacketBuilder.Udp("192.0.2.7", "198.51.100.20", 40000, (ushort)(1000 + i), 8);
            writer.Write(t, probe);
            writer.Write(t.AddTicks(1), PacketBuilder.Tcp("192.0.2.7", "203.0.113.5", 50000, 443, 0x10, 20));
            writer.Write(t.AddTicks(2), PacketBuilder.Udp("10.0.0.1", "10.0.0.2", 5353, 53, 30));
            writer.Write(t.AddTicks(3), PacketBuilder.Icmp("198.51.100.20", "192.0.2.7", 3, 3, quote: PacketBuilder.IpPart(probe)[..28]));
        }
        return path;
    }

    private static List<Packet> ReadBack(string path)
    {
        using var device = new CaptureFileReaderDevice(path);
        device.Open();
        var packets = new List<Packet>();
        while (device.GetNextPacket(out var capture) == GetPacketStatus.PacketRead)
        {
            var raw = capture.GetPacket();
            packets.Add(Packet.ParsePacket(raw.LinkLayerType, raw.Data));
        }
        return packets;
    }

    [Fact]
    public async Task Evidence_tap_on_the_probe_keeps_the_next_n_packets_of_the_offending_host_that_match_the_filter()
    {
        var capture = WriteMixedCapture();
        var feed = new ProbeLiveFeed();
        var recorder = new EvidenceRecorder(new EvidenceStore(Path.Combine(_dir, "evidence"), 10 << 20), feed.AttachTap, TimeProvider.System);
        var evidence = recorder.Start("udp_weight", "192.0.2.7", "host 192.0.2.7 and (udp or icmp)", 100, TimeSpan.FromMinutes(1));

        var runner = new ProbeRunner(feed, Microsoft.Extensions.Options.Options.Create(new Monitor.Storage.Spool.SpoolOptions()), NullLoggerFactory.Instance);
        var run = await runner.RunAsync(new ProbeOptions { Read = [capture], Store = "none", Workers = 1, Name = "evidence-test" },
            new ReportOptions(), CancellationToken.None);
        Assert.Null(run.Error);

        var result = await evidence.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(100, result.Packets);
        Assert.Equal("packet limit", result.Reason);
        var packets = ReadBack(evidence.Path);
        Assert.Equal(100, packets.Count);
        var scanner = IPAddress.Parse("192.0.2.7");
        foreach (var packet in packets)
        {
            var ip = packet.Extract<IPPacket>();
            Assert.True(ip.SourceAddress.Equals(scanner) || ip.DestinationAddress.Equals(scanner));
            Assert.True(ip.Protocol is PacketDotNet.ProtocolType.Udp or PacketDotNet.ProtocolType.Icmp);
        }
        Assert.Equal(50, packets.Count(p => p.Extract<UdpPacket>() is { DestinationPort: >= 1000 }));
        Assert.Equal(50, packets.Count(p => p.Extract<IcmpV4Packet>() is { TypeCode: IcmpV4TypeCode.UnreachablePort }));
        Assert.Equal(1000, packets[0].Extract<UdpPacket>().DestinationPort);
        Assert.Empty(recorder.Active);
    }

    [Theory]
    [InlineData(LinkTypes.RawDlt)]
    [InlineData(LinkTypes.Raw)]
    [InlineData(LinkTypes.Ipv4)]
    public async Task Evidence_of_a_raw_ip_link_keeps_the_matching_packets_in_a_file_of_that_link_type(int linkType)
    {
        var path = Path.Combine(_dir, $"raw-{linkType}.pcap");
        var evidence = new EvidenceCapture(path, "src host 192.0.2.7 and udp", 3, 1 << 20);
        for (var i = 0; i < 10; i++)
        {
            var from = i % 2 == 0 ? "192.0.2.7" : "192.0.2.8";
            var packet = PacketBuilder.IpPart(PacketBuilder.Udp(from, "198.51.100.20", 40000, (ushort)(1000 + i), 8));
            if (!evidence.Offer(new RawPacket(T0.AddSeconds(i).UtcTicks, packet.Length, linkType, packet))) break;
        }
        var result = await evidence.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(("packet limit", 3L), (result.Reason, result.Packets));
        var receiver = new Monitor.Probe.Tests.Capture.CollectingReceiver();
        using var source = new PcapFileSource([path]);
        source.Run(receiver, CancellationToken.None);
        // Live raw-IP interfaces report DLT_RAW (12); the file carries LINKTYPE_RAW (101) as libpcap writes it.
        Assert.Equal([linkType == LinkTypes.RawDlt ? LinkTypes.Raw : linkType], source.LinkTypesSeen);
        Assert.Equal(3, receiver.Packets.Count);
        Assert.All(receiver.Packets, raw =>
        {
            var decoded = new Monitor.Probe.Decode.DecodedPacket();
            Monitor.Probe.Decode.PacketDecoder.Decode(new RawPacket(raw.Ticks, raw.WireLength, raw.LinkType, raw.Data), ref decoded);
            Assert.Equal(Monitor.Probe.Decode.IpAddressKey.From(IPAddress.Parse("192.0.2.7")), decoded.Source);
        });
    }

    [Fact]
    public async Task A_capture_that_matches_nothing_ends_at_its_time_limit_with_a_valid_empty_file()
    {
        var recorder = new EvidenceRecorder(new EvidenceStore(_dir, 10 << 20), _ => new Nothing(), TimeProvider.System);
        var evidence = recorder.Start("rule", "192.0.2.99", "host 192.0.2.99", 10, TimeSpan.FromMilliseconds(100));
        var result = await evidence.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(("time limit", 0L), (result.Reason, result.Packets));
        Assert.Empty(ReadBack(evidence.Path));
    }

    [Fact]
    public void A_filter_libpcap_rejects_is_refused_before_any_file_is_written()
    {
        var recorder = new EvidenceRecorder(new EvidenceStore(_dir, 10 << 20), _ => new Nothing(), TimeProvider.System);
        Assert.Throws<CaptureFilterException>(() => recorder.Start("rule", "x", "host and and", 10, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Evidence_directory_stays_under_its_byte_budget_by_removing_the_oldest_files_first()
    {
        var store = new EvidenceStore(_dir, 300_000);
        for (var i = 0; i < 4; i++)
        {
            var file = Path.Combine(_dir, $"r-192.0.2.{i}-x.pcap");
            File.WriteAllBytes(file, new byte[100_000]);
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(i - 10));
        }
        var removed = store.Trim(50_000, new HashSet<string>());
        Assert.Equal(["r-192.0.2.0-x.pcap", "r-192.0.2.1-x.pcap"], removed);
        Assert.Equal(["r-192.0.2.3-x.pcap", "r-192.0.2.2-x.pcap"], store.List().Select(f => f.Name));
    }

    [Theory]
    [InlineData("../secret.pcap")]
    [InlineData("..%2Fsecret.pcap")]
    [InlineData("/etc/passwd")]
    [InlineData("a/../../b.pcap")]
    [InlineData("evidence.txt")]
    [InlineData("..pcap")]
    [InlineData("missing.pcap")]
    [InlineData("")]
    public void Download_names_that_leave_the_directory_or_are_not_evidence_resolve_to_nothing(string name)
    {
        var inner = Path.Combine(_dir, "evidence");
        Directory.CreateDirectory(inner);
        File.WriteAllText(Path.Combine(_dir, "secret.pcap"), "x");
        File.WriteAllText(Path.Combine(inner, "evidence.txt"), "x");
        Assert.Null(new EvidenceStore(inner, 1 << 20).Resolve(name));
    }

    [Fact]
    public void File_names_carry_rule_host_and_time_and_never_repeat()
    {
        var store = new EvidenceStore(_dir, 1 << 20);
        var first = store.NewFileName("udp_weight", "2001:db8::7", T0);
        Assert.Equal("udp_weight-2001_db8__7-20261123T100000Z.pcap", first);
        File.WriteAllBytes(Path.Combine(_dir, first), []);
        Assert.Equal("udp_weight-2001_db8__7-20261123T100000Z-2.pcap", store.NewFileName("udp_weight", "2001:db8::7", T0));
        Assert.Equal(Path.Combine(_dir, first), store.Resolve(first));
    }

    private sealed class Nothing : IDisposable
    {
        public void Dispose()
        {
        }
    }
}
