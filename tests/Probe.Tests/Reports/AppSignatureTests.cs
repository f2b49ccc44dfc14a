using System.Buffers.Binary;
using System.Text;
using Monitor.Probe.Capture;
using Monitor.Probe.Decode;
using Monitor.Probe.Reports;
using Monitor.Probe.Tests.Capture;
using Monitor.Probe.Tests.EndToEnd;
using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Reports;
using Monitor.TestKit.Packets;

namespace Monitor.Probe.Tests.Reports;

/// <summary>The application flags from first-payload signatures, on frames built here and decoded as the probe decodes them.</summary>
public class AppSignatureTests
{
    private const string Client = "10.3.0.1";
    private const string Peer = "198.51.100.7";

    private static ReportResults Count(params byte[][] frames)
    {
        var set = new ReportSet(new ReportOptions { Top = 100 });
        var decoded = new DecodedPacket();
        foreach (var frame in frames)
        {
            PacketDecoder.Decode(new RawPacket(TestPackets.Start, frame.Length, LinkTypes.Ethernet, frame), ref decoded);
            set.Count(decoded, frame);
        }
        return set.Build(TimeSpan.FromSeconds(30));
    }

    private static string FlagsOf(ReportResults results, string ip) => results.Row(ReportCatalog.Talkers, "ip", ip).Text("app_flags");

    private static byte[] Tcp(ushort dport, string payload, ushort sport = 40000) =>
        BotMeshCapture.Tcp(Client, Peer, sport, dport, 0x18, Encoding.Latin1.GetBytes(payload));

    private static byte[] Udp(ushort dport, string payload)
    {
        var bytes = Encoding.Latin1.GetBytes(payload);
        var frame = PacketBuilder.Udp(Client, Peer, 40000, dport, bytes.Length);
        bytes.CopyTo(frame.AsSpan(frame.Length - bytes.Length));
        return frame;
    }

    public static TheoryData<string, byte[]> Signatures() => new()
    {
        { "B", Tcp(6881, "\u0013BitTorrent protocol\0\0\0\0\0\0\0\0") },
        { "B", Udp(6881, "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe") },
        { "G", Tcp(6346, "GNUTELLA CONNECT/0.6\r\nUser-Agent: x\r\n\r\n") },
        { "G", Tcp(6346, "GNUTELLA/0.6 200 OK\r\n\r\n") },
        { "K", Tcp(1214, "GET /.hash=abc HTTP/1.1\r\nHost: 198.51.100.7:1214\r\nX-Kazaa-Username: u\r\n\r\n") },
        { "K", Tcp(1214, "HTTP/1.1 200 OK\r\nX-Kazaa-Network: KaZaA\r\n\r\n") },
        { "I", Tcp(7000, "NICK n\r\nJOIN #x\r\n") },
        { "T", BotMeshCapture.Tcp(Client, Peer, 40000, 443, 0x18, ClientHello(sni: false)) },
        { "S", Tcp(2222, "SSH-2.0-OpenSSH_9.6\r\n") },
    };

    [Theory]
    [MemberData(nameof(Signatures))]
    public void Each_signature_sets_its_flag_on_the_sender(string flag, byte[] frame)
    {
        var results = Count(frame);
        Assert.Equal(flag, FlagsOf(results, Client));
        Assert.Equal("", FlagsOf(results, Peer));
    }

    [Fact]
    public void Look_alikes_set_no_flag()
    {
        var results = Count(
            Tcp(443, "\u0013BitTorrent protocoX"),
            BotMeshCapture.Tcp(Client, Peer, 40000, 443, 0x18, ClientHello(sni: true)),
            Tcp(22, "SSH-2.0-OpenSSH_9.6\r\n"),
            Tcp(80, "GET / HTTP/1.1\r\nHost: www.example\r\n\r\n"),
            Tcp(80, "GNUTELLA"),
            Tcp(5000, "JOINED the party"));
        Assert.Equal("", FlagsOf(results, Client));
        Assert.Equal(0, results.Metrics[MetricCatalog.IrcJoins]);
    }

    [Fact]
    public void Flags_of_one_host_add_up_in_letter_order_on_talkers_and_syn_rows()
    {
        var results = Count(
            PacketBuilder.Tcp(Client, Peer, 40000, 2222, 0x02),
            Tcp(2222, "SSH-2.0-x\r\n"),
            Tcp(6881, "\u0013BitTorrent protocol"),
            Tcp(6667, ":srv PING :srv\r\n", sport: 6667));
        Assert.Equal("BS", FlagsOf(results, Client));
        Assert.Equal("BS", results.Row(ReportCatalog.Syn, "ip", Client).Text("app_flags"));
        // The PING came from the server side (it has a prefix): the IRC client is the destination.
        Assert.Equal("I", FlagsOf(results, Peer));
    }

    [Fact]
    public void Every_line_of_a_segment_is_read_and_channel_names_are_folded_and_capped()
    {
        var longName = "#" + new string('A', 80);
        var results = Count(Tcp(9999, $"PING :x\r\nJOIN #One,#TWO key\r\nPRIVMSG #one :hi\r\nPRIVMSG nick :private\r\nJOIN {longName}\r\nPONG :x"));
        var channels = results.Report(ReportCatalog.IrcChannels).Select(r => r.Text("channel")).ToList();
        Assert.Equal(new[] { "#one", "#two", "#" + new string('a', IrcReport.MaxChannelLength - 1) }.Order(StringComparer.Ordinal), channels.Order(StringComparer.Ordinal));
        var host = results.Row(ReportCatalog.IrcHosts, "ip", Client);
        Assert.Equal((2L, 2L, 1L, 1L), (host.Long("joins"), host.Long("privmsgs"), host.Long("pings"), host.Long("pongs")));
        Assert.Equal($"{Peer}:9999", host.Text("server"));
        Assert.Equal(1, results.Row(ReportCatalog.IrcChannels, "channel", "#one").Long("privmsgs"));
        Assert.DoesNotContain(results.Report(ReportCatalog.IrcChannels).SelectMany(r => r.Fields), f => f.Value is string s && s.Contains("hi"));
    }

    /// <summary>A TLS 1.2 ClientHello record with one cipher suite and, when asked, a server_name extension.</summary>
    private static byte[] ClientHello(bool sni)
    {
        var extensions = new List<byte>();
        // supported_groups (10), then server_name (0) when asked.
        extensions.AddRange([0x00, 0x0a, 0x00, 0x04, 0x00, 0x02, 0x00, 0x1d]);
        if (sni)
        {
            var name = "www.example"u8.ToArray();
            var entry = new byte[5 + name.Length];
            BinaryPrimitives.WriteUInt16BigEndian(entry, (ushort)(3 + name.Length));
            entry[2] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(entry.AsSpan(3), (ushort)name.Length);
            name.CopyTo(entry, 5);
            extensions.AddRange([0x00, 0x00, (byte)(entry.Length >> 8), (byte)entry.Length]);
            extensions.AddRange(entry);
        }
        var body = new List<byte> { 0x03, 0x03 };
        body.AddRange(new byte[32]);
        body.Add(0);
        body.AddRange([0x00, 0x02, 0x13, 0x01]);
        body.AddRange([0x01, 0x00]);
        body.AddRange([(byte)(extensions.Count >> 8), (byte)extensions.Count]);
        body.AddRange(extensions);
        var record = new List<byte> { 0x16, 0x03, 0x01, (byte)((body.Count + 4) >> 8), (byte)(body.Count + 4), 0x01, 0, (byte)(body.Count >> 8), (byte)body.Count };
        record.AddRange(body);
        return [.. record];
    }

    [SharedCapturesFact]
    public void The_gnutella_capture_flags_its_client_G()
    {
        var set = new ReportSet(new ReportOptions { Top = 100000 });
        using var source = new PcapFileSource([SharedCaptures.PathOf("ndpi-gnutella.pcap")]);
        source.Run(new FrameCounter(set), CancellationToken.None);
        var results = set.Build(TimeSpan.FromMinutes(10));
        Assert.Contains("G", results.Row(ReportCatalog.Talkers, "ip", "10.0.2.15").Text("app_flags"), StringComparison.Ordinal);
    }

    [SharedCapturesFact]
    public void The_syn_scan_capture_has_one_worm_host_whose_signature_is_a_thousand_ports()
    {
        var set = new ReportSet(new ReportOptions { Top = 100000, HomeNet = ["172.16.0.0/12"] });
        using var source = new PcapFileSource([SharedCaptures.PathOf("cs-synscan.pcap")]);
        source.Run(new FrameCounter(set), CancellationToken.None);
        var results = set.Build(TimeSpan.FromSeconds(30));
        Assert.Equal(1, results.Metrics[MetricCatalog.WormTotal]);
        Assert.Equal(1, results.Metrics[MetricCatalog.WormHome]);
        Assert.Equal(0, results.Metrics[MetricCatalog.WormRemote]);
        var rows = results.Report(ReportCatalog.PortSignatures);
        Assert.All(rows, r => Assert.Equal("172.16.0.8", r.Text("ip")));
        Assert.Equal(PortSignatureReport.PortsPerHost, rows.Count);
        Assert.Equal(1994, rows[0].Long("host_syns"));
    }

    [SharedCapturesFact]
    public void A_worm_weight_above_the_scanner_is_no_worm()
    {
        var set = new ReportSet(new ReportOptions { Top = 100000, WormWeight = 100 });
        using var source = new PcapFileSource([SharedCaptures.PathOf("cs-synscan.pcap")]);
        source.Run(new FrameCounter(set), CancellationToken.None);
        var results = set.Build(TimeSpan.FromSeconds(30));
        Assert.Equal(0, results.Metrics[MetricCatalog.WormTotal]);
        Assert.Empty(results.Report(ReportCatalog.PortSignatures));
    }

    private sealed class FrameCounter(ReportSet set) : IPacketReceiver
    {
        private DecodedPacket _packet;

        public void Receive(in RawPacket packet)
        {
            PacketDecoder.Decode(packet, ref _packet);
            set.Count(_packet, packet.Data);
        }

        public void Idle(DateTimeOffset now) { }
    }
}
