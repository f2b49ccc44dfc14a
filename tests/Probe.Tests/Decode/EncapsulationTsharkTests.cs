using Monitor.Probe.Capture;
using Monitor.Probe.Tests.EndToEnd;
using Monitor.TestKit.Packets;

namespace Monitor.Probe.Tests.Decode;

/// <summary>
/// MPLS, PPPoE and raw-IP link types, each on a capture built here with the frames real links carry and
/// the ones that only look like IP; the probe's per-protocol counts and talkers must equal tshark's.
/// </summary>
public sealed class EncapsulationTsharkTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static byte[] V4Udp(int host) => PacketBuilder.IpPart(PacketBuilder.Udp($"192.0.2.{host}", "198.51.100.1", 40000, 53, payload: 12 + host));
    private static byte[] V4Tcp(int host) => PacketBuilder.IpPart(PacketBuilder.Tcp($"192.0.2.{host}", "198.51.100.2", 40001, 443, 0x02, payload: host));
    private static byte[] V4Icmp(int host) => PacketBuilder.IpPart(PacketBuilder.Icmp($"192.0.2.{host}", "198.51.100.3", 8, 0, payload: 16));
    private static byte[] V6Udp(int host) => PacketBuilder.IpPart(PacketBuilder.Udp($"2001:db8::{host:x}", "2001:db8:1::1", 40000, 53, payload: 8 + host));
    private static byte[] V6Tcp(int host) => PacketBuilder.IpPart(PacketBuilder.Tcp($"2001:db8::{host:x}", "2001:db8:1::2", 40001, 80, 0x12, payload: host));
    private static byte[] V6Icmp(int host) => PacketBuilder.IpPart(PacketBuilder.Icmp($"2001:db8::{host:x}", "2001:db8:1::3", 128, 0, payload: 24));

    [TsharkFact]
    public async Task Mpls_frames_count_by_the_ip_packet_below_the_label_stack_as_tshark_counts_them()
    {
        var frames = new List<byte[]>
        {
            PacketBuilder.Mpls(V4Udp(1), [100]),
            PacketBuilder.Mpls(V6Tcp(2), [100, 200]),
            PacketBuilder.Mpls(V4Icmp(3), [100, 200, 300], multicast: true),
            PacketBuilder.Mpls(V6Icmp(4), [16], vlans: [10]),
            PacketBuilder.Mpls(V4Tcp(5), [16, 17], vlans: [10, 11]),
            // IPv4 explicit null carrying IPv6: the nibble decides, not the label.
            PacketBuilder.Mpls(V6Udp(6), [0]),
            // An Ethernet pseudowire behind a control word, a payload that is no IP, a stack without bottom, nothing after the stack.
            PacketBuilder.Mpls([0, 0, 0, 0, .. PacketBuilder.Udp("192.0.2.7", "198.51.100.1", 1, 2)], [300]),
            PacketBuilder.Mpls(Enumerable.Repeat((byte)0x55, 30).ToArray(), [300]),
            PacketBuilder.Mpls(V4Udp(8), [100, 200], bottomOfStack: false)[..26],
            PacketBuilder.Mpls([], [300]),
        };

        var (probe, tshark) = await CountBoth("mpls", LinkTypes.Ethernet, frames);

        Assert.Equal(6, tshark.Protocols.Values.Sum(p => p.Packets));
        AssertSameCounts(tshark, probe);
    }

    [TsharkTheory]
    [InlineData(LinkTypes.RawDlt)]
    [InlineData(LinkTypes.RawOpenBsd)]
    [InlineData(LinkTypes.Raw)]
    [InlineData(LinkTypes.Ipv4)]
    [InlineData(LinkTypes.Ipv6)]
    public async Task Raw_ip_link_types_count_by_the_version_nibble_as_tshark_counts_them(int linkType)
    {
        var garbage = V4Udp(9);
        garbage[0] = 0x55;
        var frames = new List<byte[]> { V4Udp(1), V6Tcp(2), V4Icmp(3), V6Icmp(4), V4Tcp(5), V6Udp(6), garbage };

        var (probe, tshark) = await CountBoth($"raw-{linkType}", linkType, frames);

        // An IPv6 packet in a LINKTYPE_IPV4 file is IPv6; tshark's IPv6 dissector does not hand IPv4 back.
        Assert.Equal(linkType == LinkTypes.Ipv6 ? 3 : 6, tshark.Protocols.Values.Sum(p => p.Packets));
        AssertSameCounts(tshark, probe);
    }

    [TsharkFact]
    public async Task Pppoe_session_frames_count_by_the_ppp_protocol_as_tshark_counts_them()
    {
        var frames = new List<byte[]>
        {
            PacketBuilder.PppoeSession(V4Udp(1), 0x0021),
            PacketBuilder.PppoeSession(V6Tcp(2), 0x0057),
            PacketBuilder.PppoeSession(V4Icmp(3), 0x0021, compressedProtocol: true),
            PacketBuilder.PppoeSession(V6Icmp(4), 0x0057, compressedProtocol: true),
            PacketBuilder.PppoeSession(V4Tcp(5), 0x0021, vlans: [20]),
            // IPv6 behind the IPv4 protocol is IPv6 (as behind EtherType 0x0800); IPv4 behind the IPv6 one is not IP.
            PacketBuilder.PppoeSession(V6Udp(6), 0x0021),
            PacketBuilder.PppoeSession(V4Udp(7), 0x0057),
            // LCP echo request, a PPPoE discovery (PADT) frame, and a session header cut before the protocol.
            PacketBuilder.PppoeSession([9, 1, 0, 8, 0, 0, 0, 0], 0xC021),
            PacketBuilder.Ethernet(0x8863, [0x11, 0xA7, 0x12, 0x34, 0, 0]),
            PacketBuilder.Ethernet(0x8864, [0x11, 0x00, 0x12, 0x34, 0, 2]),
        };

        var (probe, tshark) = await CountBoth("pppoe", LinkTypes.Ethernet, frames);

        Assert.Equal(6, tshark.Protocols.Values.Sum(p => p.Packets));
        AssertSameCounts(tshark, probe);
    }

    private static async Task<(ProbeRun Probe, TsharkCounts Tshark)> CountBoth(string name, int linkType, List<byte[]> frames)
    {
        var path = Path.Combine(Path.GetTempPath(), $"encapsulation-{name}-{Guid.NewGuid():N}.pcap");
        try
        {
            using (var writer = new PcapFileWriter(path, linkType))
            {
                for (var i = 0; i < frames.Count; i++) writer.Write(Start.AddMilliseconds(i), frames[i]);
            }
            var tshark = TsharkOracle.Count(path);
            var probe = await ProbeRun.ReadAsync([path]);
            Assert.True(probe.ExitCode == 0, $"exit code {probe.ExitCode}: {probe.Stderr}");
            return (probe, tshark);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void AssertSameCounts(TsharkCounts tshark, ProbeRun probe)
    {
        Assert.Equal(tshark.Packets, probe.Packets);
        Assert.Equal(tshark.Bytes, probe.Bytes);
        var protocols = new SortedDictionary<string, (long Packets, long Bytes)>(StringComparer.Ordinal);
        foreach (var interval in probe.Intervals)
        {
            foreach (var protocol in interval.GetProperty("protocols").EnumerateObject())
            {
                var packets = protocol.Value.GetProperty("packets").GetInt64();
                if (packets == 0) continue;
                var (p, b) = protocols.GetValueOrDefault(protocol.Name);
                protocols[protocol.Name] = (p + packets, b + protocol.Value.GetProperty("bytes").GetInt64());
            }
        }
        Assert.Equal(tshark.Protocols.OrderBy(p => p.Key, StringComparer.Ordinal), protocols);
        Assert.Equal(tshark.Talkers.Values.OrderBy(t => t.Ip, StringComparer.Ordinal), probe.Talkers().Values.OrderBy(t => t.Ip, StringComparer.Ordinal));
    }
}
