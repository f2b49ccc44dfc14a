using Monitor.Probe.Capture;
using Monitor.Probe.Decode;

namespace Monitor.Probe.Tests.Capture;

/// <summary>The file reader on the real (and the deliberately bad) shared captures.</summary>
public sealed class SharedCaptureFileTests
{
    private static (CollectingReceiver Receiver, PcapFileSource Source) Read(string name)
    {
        var receiver = new CollectingReceiver();
        var source = new PcapFileSource([SharedCaptures.PathOf(name)]);
        source.Run(receiver, CancellationToken.None);
        return (receiver, source);
    }

    [SharedCapturesTheory]
    [InlineData("cs-http_ip4and6")]
    [InlineData("cs-icmp_traceroute")]
    [InlineData("cs-synscan")]
    public void Pcap_and_pcapng_copies_of_a_capture_give_identical_packets(string name)
    {
        var (pcap, _) = Read(name + ".pcap");
        var (pcapng, source) = Read(name + ".pcapng");

        Assert.NotEmpty(pcap.Packets);
        Assert.Equal(pcap.Packets.Count, pcapng.Packets.Count);
        for (var i = 0; i < pcap.Packets.Count; i++)
        {
            Assert.Equal(pcap.Packets[i].Ticks, pcapng.Packets[i].Ticks);
            Assert.Equal(pcap.Packets[i].WireLength, pcapng.Packets[i].WireLength);
            Assert.Equal(pcap.Packets[i].LinkType, pcapng.Packets[i].LinkType);
            Assert.Equal(pcap.Packets[i].Data, pcapng.Packets[i].Data);
        }
        Assert.Equal(source.TotalBytes, source.BytesRead);
    }

    [SharedCapturesFact]
    public void The_empty_capture_has_a_valid_header_and_no_packets()
    {
        var (receiver, source) = Read("tcpdump-empty.pcap");

        Assert.Empty(receiver.Packets);
        Assert.Equal(24, source.BytesRead);
    }

    [SharedCapturesFact]
    public void A_capture_cut_short_in_a_record_delivers_the_785_whole_packets_then_names_the_offset()
    {
        var receiver = new CollectingReceiver();
        var path = SharedCaptures.PathOf("surv-pgsql-5000-query-results.pcap");
        using var source = new PcapFileSource([path]);

        var error = Assert.Throws<CaptureFileException>(() => source.Run(receiver, CancellationToken.None));

        Assert.Equal(785, receiver.Packets.Count);
        Assert.Equal(path, error.File);
        var lastWhole = 24 + receiver.Packets.Sum(p => 16L + p.Data.Length);
        Assert.Equal(lastWhole, error.Offset);
        Assert.Contains($"offset {lastWhole}", error.Message);
    }

    [SharedCapturesFact]
    public void The_fuzzed_nanosecond_null_capture_is_damaged_at_its_first_record()
    {
        var receiver = new CollectingReceiver();
        using var source = new PcapFileSource([SharedCaptures.PathOf("ndpi-fuzz-2021-10-13.pcap")]);

        var error = Assert.Throws<CaptureFileException>(() => source.Run(receiver, CancellationToken.None));

        Assert.Empty(receiver.Packets);
        Assert.Equal(24, error.Offset);
        Assert.Equal([LinkTypes.Null], source.LinkTypesSeen);
    }

    [SharedCapturesFact]
    public void An_ipv4_header_length_of_16_bytes_is_malformed_and_not_ip()
    {
        var (receiver, _) = Read("tcpdump-ipv4_invalid_hdr_length.pcap");

        var p = Decode(Assert.Single(receiver.Packets));

        Assert.True(p.Malformed);
        Assert.False(p.IsIp);
        Assert.Equal(98, p.WireLength);
    }

    [SharedCapturesFact]
    public void An_ipv4_header_cut_by_the_snap_length_is_malformed_and_not_ip()
    {
        var (receiver, _) = Read("zeek-ip4-trunc.pcap");

        var p = Decode(Assert.Single(receiver.Packets));

        Assert.True(p.Malformed);
        Assert.False(p.IsIp);
        Assert.Equal(46, p.WireLength);
        Assert.Equal(20, p.CapturedLength);
    }

    [SharedCapturesFact]
    public void Triple_tagged_vlan_frames_decode_as_tcp_over_ipv4()
    {
        var (receiver, _) = Read("zeek-vlan-qinqinq.pcap");

        Assert.Equal(14, receiver.Packets.Count);
        Assert.All(receiver.Packets.Select(Decode), p =>
        {
            Assert.Equal(Transport.Tcp, p.Transport);
            Assert.False(p.Malformed);
        });
    }

    [SharedCapturesFact]
    public void Arp_behind_an_802_1ad_and_an_802_1q_tag_is_found()
    {
        var (receiver, _) = Read("tcpdump-802.1ad_QinQ.pcap");

        Assert.Equal(2, receiver.Packets.Count);
        Assert.All(receiver.Packets.Select(Decode), p => Assert.Equal(NetworkLayer.Arp, p.Layer));
    }

    [SharedCapturesFact]
    public void Linux_cooked_capture_decodes_its_ip_traffic()
    {
        var (receiver, source) = Read("pcpp-sll.pcap");
        var decoded = receiver.Packets.Select(Decode).ToList();

        Assert.Equal([LinkTypes.LinuxSll], source.LinkTypesSeen);
        Assert.Equal(483, decoded.Count(p => p.Transport == Transport.Tcp));
        Assert.Equal(28, decoded.Count(p => p.Transport == Transport.Udp));
        Assert.Equal(7, decoded.Count(p => !p.IsIp));
    }

    [SharedCapturesFact]
    public void Raw_ip_capture_decodes_ipv4_and_ipv6()
    {
        var (receiver, source) = Read("pcpp-raw_ip.pcap");
        var decoded = receiver.Packets.Select(Decode).ToList();

        Assert.Equal([LinkTypes.Raw], source.LinkTypesSeen);
        Assert.Equal(50, decoded.Count(p => p.Layer == NetworkLayer.IPv4));
        Assert.Equal(50, decoded.Count(p => p.Layer == NetworkLayer.IPv6));
        Assert.DoesNotContain(decoded, p => p.Malformed);
    }

    private static DecodedPacket Decode(CapturedPacket raw)
    {
        var p = new DecodedPacket();
        PacketDecoder.Decode(new RawPacket(raw.Ticks, raw.WireLength, raw.LinkType, raw.Data), ref p);
        return p;
    }
}
