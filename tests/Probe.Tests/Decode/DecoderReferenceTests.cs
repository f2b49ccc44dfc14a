using System.Text.Json;
using Monitor.Probe.Capture;
using Monitor.Probe.Decode;
using Monitor.Probe.Tests.Capture;
using PacketDotNet;

namespace Monitor.Probe.Tests.Decode;

/// <summary>The span decoder against PacketDotNet, packet by packet, on every shared capture.</summary>
public sealed class DecoderReferenceTests
{
    [SharedCapturesTheory]
    [MemberData(nameof(SharedCaptures.All), MemberType = typeof(SharedCaptures))]
    public void Decoder_agrees_with_packetdotnet_on_every_packet_of_the_shared_capture(string name)
    {
        var receiver = new CollectingReceiver();
        using (var source = new PcapFileSource([SharedCaptures.PathOf(name)]))
        {
            try
            {
                source.Run(receiver, CancellationToken.None);
            }
            catch (CaptureFileException) when (SharedCaptures.Damaged.Contains(name))
            {
                // The packets before the damage are still compared.
            }
        }

        var compared = 0;
        var mismatches = new List<string>();
        for (var i = 0; i < receiver.Packets.Count; i++)
        {
            var raw = receiver.Packets[i];
            var mine = new DecodedPacket();
            PacketDecoder.Decode(new RawPacket(raw.Ticks, raw.WireLength, raw.LinkType, raw.Data), ref mine);
            var problem = Compare(raw, mine);
            if (problem is not null) mismatches.Add($"packet {i + 1}: {problem}");
            compared++;
        }

        Assert.True(mismatches.Count == 0, $"{name}: {mismatches.Count} of {compared} packets differ:\n" + string.Join("\n", mismatches.Take(20)));
    }

    [SharedCapturesTheory]
    [MemberData(nameof(SharedCaptures.All), MemberType = typeof(SharedCaptures))]
    public void Packets_and_bytes_per_outermost_transport_equal_the_tshark_oracle(string name)
    {
        var oraclePath = SharedCaptures.PathOf(name + ".oracle.json");
        if (!File.Exists(oraclePath) || name == "ndpi-fuzz-2021-10-13.pcap") return; // the fuzz file's one record is itself cut short
        using var oracle = JsonDocument.Parse(File.ReadAllText(oraclePath));
        var expected = new SortedDictionary<string, (long Packets, long Bytes)>();
        foreach (var protocol in oracle.RootElement.GetProperty("protocols").EnumerateObject())
        {
            expected[protocol.Name] = (protocol.Value.GetProperty("packets").GetInt64(), protocol.Value.GetProperty("bytes").GetInt64());
        }

        var receiver = new CollectingReceiver();
        using (var source = new PcapFileSource([SharedCaptures.PathOf(name)]))
        {
            try
            {
                source.Run(receiver, CancellationToken.None);
            }
            catch (CaptureFileException) when (SharedCaptures.Damaged.Contains(name))
            {
            }
        }
        var actual = new SortedDictionary<string, (long Packets, long Bytes)>();
        foreach (var raw in receiver.Packets)
        {
            var p = new DecodedPacket();
            PacketDecoder.Decode(new RawPacket(raw.Ticks, raw.WireLength, raw.LinkType, raw.Data), ref p);
            if (!p.IsIp) continue;
            var key = p.Transport switch
            {
                Transport.Tcp => "tcp", Transport.Udp => "udp", Transport.Icmp => "icmp", Transport.IcmpV6 => "icmpv6", _ => "other",
            };
            var (packets, bytes) = actual.GetValueOrDefault(key);
            actual[key] = (packets + 1, bytes + p.WireLength);
        }

        Assert.Equal(oracle.RootElement.GetProperty("packets").GetInt64(), receiver.Packets.Count);
        Assert.Equal(expected, actual);
    }

    /// <summary>Null when both decoders say the same of the outermost IP header and its transport.</summary>
    private static string? Compare(CapturedPacket raw, in DecodedPacket mine)
    {
        IPPacket? ip;
        try
        {
            ip = Packet.ParsePacket((LinkLayers)raw.LinkType, raw.Data).Extract<IPPacket>();
            _ = ip?.PayloadPacket;
        }
        catch (Exception e)
        {
            // PacketDotNet gives up on what the span decoder must mark malformed or not IP.
            return mine.Malformed || !mine.IsIp ? null : $"PacketDotNet fails ({e.GetType().Name}) where the decoder sees a sound {mine.Layer} packet";
        }
        if (ip is null)
        {
            return mine.IsIp && !mine.Malformed ? $"decoded as {mine.Layer}, PacketDotNet finds no IP" : null;
        }
        if (!mine.IsIp)
        {
            return mine.Malformed ? null : $"PacketDotNet finds {ip.Version}, decoder says {mine.Layer}";
        }
        if (IpAddressKey.From(ip.SourceAddress) != mine.Source) return $"source {ip.SourceAddress} vs {mine.Source}";
        if (IpAddressKey.From(ip.DestinationAddress) != mine.Destination) return $"destination {ip.DestinationAddress} vs {mine.Destination}";
        if (mine.Malformed) return null;
        if (ip is IPv4Packet v4 && (v4.FragmentOffset != 0))
        {
            return (byte)ip.Protocol == mine.IpProtocol && mine.SourcePort == 0 ? null : "later fragment decoded with ports";
        }
        if ((byte)ip.Protocol != mine.IpProtocol) return $"protocol {(byte)ip.Protocol} vs {mine.IpProtocol}";
        switch (ip.PayloadPacket)
        {
            case TcpPacket tcp:
                if (tcp.SourcePort != mine.SourcePort || tcp.DestinationPort != mine.DestinationPort)
                    return $"tcp ports {tcp.SourcePort}->{tcp.DestinationPort} vs {mine.SourcePort}->{mine.DestinationPort}";
                if ((byte)tcp.Flags != (byte)mine.TcpFlags) return $"tcp flags {tcp.Flags:X} vs {mine.TcpFlags}";
                break;
            case UdpPacket udp:
                if (udp.SourcePort != mine.SourcePort || udp.DestinationPort != mine.DestinationPort)
                    return $"udp ports {udp.SourcePort}->{udp.DestinationPort} vs {mine.SourcePort}->{mine.DestinationPort}";
                break;
            case IcmpV4Packet icmp:
            {
                var typeCode = (ushort)icmp.TypeCode;
                if (typeCode >> 8 != mine.IcmpType || (typeCode & 0xFF) != mine.IcmpCode)
                    return $"icmp {typeCode >> 8}/{typeCode & 0xFF} vs {mine.IcmpType}/{mine.IcmpCode}";
                break;
            }
            case IcmpV6Packet icmp6:
                if ((byte)icmp6.Type != mine.IcmpType || icmp6.Code != mine.IcmpCode)
                    return $"icmpv6 {(byte)icmp6.Type}/{icmp6.Code} vs {mine.IcmpType}/{mine.IcmpCode}";
                break;
        }
        return null;
    }
}
