using System.Buffers.Binary;
using Monitor.Probe.Capture;
using Monitor.Probe.Decode;
using Monitor.TestKit.Packets;

namespace Monitor.Probe.Tests.Decode;

public sealed class DecoderFuzzTests
{
    private static readonly int[] FuzzedLinkTypes =
    [
        LinkTypes.Null, LinkTypes.Ethernet, LinkTypes.RawDlt, LinkTypes.RawOpenBsd, LinkTypes.Raw, LinkTypes.Loop,
        LinkTypes.LinuxSll, LinkTypes.Ipv4, LinkTypes.Ipv6, LinkTypes.LinuxSll2, 147,
    ];

    private const int PacketsPerLinkType = 100_000;

    [Fact]
    public void A_million_random_and_mutated_packets_on_every_link_type_and_encapsulation_never_throw()
    {
        var random = new Random(20080308);
        var seeds = SeedPackets();
        var buffer = new byte[2048];
        long total = 0, ip = 0, malformed = 0, encapsulatedIp = 0;
        foreach (var linkType in FuzzedLinkTypes)
        {
            for (var i = 0; i < PacketsPerLinkType; i++)
            {
                var length = Mutate(random, seeds, linkType, buffer, out var encapsulated);
                var data = buffer.AsSpan(0, length);
                var wire = random.Next(4) == 0 ? random.Next(0, 70000) : length;
                var packet = new DecodedPacket();
                PacketDecoder.Decode(new RawPacket(i, wire, linkType, data), ref packet);
                var hash = PacketDecoder.PairHash(linkType, data);

                Assert.Equal(length, packet.CapturedLength);
                if (packet.PayloadLength < 0 || packet.IpLength < 0) Assert.Fail($"negative length on link type {linkType}");
                if (hash != 0 && !packet.IsIp && !packet.Malformed && packet.Layer != NetworkLayer.Other)
                {
                    Assert.Fail($"pair hash for a {packet.Layer} packet on link type {linkType}");
                }
                if (hash == 0 && packet.IsIp && !packet.Malformed)
                {
                    Assert.Fail($"no pair hash for a sound {packet.Layer} packet on link type {linkType}");
                }
                total++;
                if (packet.IsIp) ip++;
                if (packet.IsIp && encapsulated) encapsulatedIp++;
                if (packet.Malformed) malformed++;
            }
        }

        Assert.True(total >= 1_000_000);
        // The mutations must reach deep into the decoder, not just bounce off the link header.
        Assert.True(ip > total / 10, $"only {ip} of {total} fuzzed packets decoded as IP");
        Assert.True(malformed > total / 10, $"only {malformed} of {total} fuzzed packets were malformed");
        Assert.True(encapsulatedIp > total / 50, $"only {encapsulatedIp} of {total} fuzzed packets decoded as IP inside MPLS or PPPoE");
    }

    /// <summary>Well-formed network-layer packets to mutate: every transport, tags, extension headers, ICMP errors.</summary>
    private static List<byte[]> SeedPackets()
    {
        var udp = PacketBuilder.Udp("192.0.2.10", "192.0.2.20", 33000, 161, payload: 4);
        var tcp6 = PacketBuilder.Tcp("2001:db8::10", "2001:db8::20", 50000, 22, 0x02, payload: 9);
        var ip = new List<byte[]>
        {
            PacketBuilder.IpPart(PacketBuilder.Tcp("192.0.2.1", "198.51.100.2", 40000, 443, 0x12, payload: 30)),
            PacketBuilder.IpPart(udp),
            PacketBuilder.IpPart(PacketBuilder.Icmp("192.0.2.20", "192.0.2.10", 3, 3, quote: PacketBuilder.IpPart(udp))),
            PacketBuilder.IpPart(PacketBuilder.Icmp("2001:db8::20", "2001:db8::10", 1, 4, quote: PacketBuilder.IpPart(tcp6))),
            PacketBuilder.IpPart(tcp6),
            PacketBuilder.IpPart(PacketBuilder.Icmp("192.0.2.1", "192.0.2.2", 8, 0, payload: 20)),
        };
        // IPv6 with hop-by-hop, fragment and destination options headers before UDP.
        var ext = PacketBuilder.IpPart(PacketBuilder.Udp("2001:db8::1", "ff02::1", 1, 2, payload: 6));
        var withExtensions = new byte[ext.Length + 24];
        ext.AsSpan(0, 40).CopyTo(withExtensions);
        withExtensions[6] = 0;
        byte[] headers = [44, 0, 0, 0, 0, 0, 0, 0, 60, 0, 0, 0, 0, 0, 0, 1, 17, 0, 1, 4, 0, 0, 0, 0];
        headers.CopyTo(withExtensions, 40);
        ext.AsSpan(40).CopyTo(withExtensions.AsSpan(64));
        BinaryPrimitives.WriteUInt16BigEndian(withExtensions.AsSpan(4), (ushort)(withExtensions.Length - 40));
        ip.Add(withExtensions);
        return ip;
    }

    /// <summary>
    /// Writes the EtherType just before <paramref name="at"/> and, for MPLS (one to three labels) or a PPPoE
    /// session (its protocol field sometimes compressed), their headers from there; returns where the IP packet goes.
    /// </summary>
    private static int Encapsulate(Random random, byte[] buffer, int at, bool v6, out bool encapsulated)
    {
        encapsulated = true;
        switch (random.Next(4))
        {
            case 0:
            {
                BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(at - 2), random.Next(2) == 0 ? (ushort)0x8847 : (ushort)0x8848);
                var labels = random.Next(1, 4);
                for (var l = 0; l < labels; l++)
                {
                    var bottom = l == labels - 1 ? 0x100u : 0u;
                    BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(at + 4 * l), ((uint)random.Next(1 << 20) << 12) | bottom | 64);
                }
                return at + 4 * labels;
            }
            case 1:
            {
                BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(at - 2), 0x8864);
                buffer[at] = 0x11;
                buffer[at + 1] = 0;
                BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(at + 2), (ushort)random.Next(65536));
                BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(at + 4), (ushort)random.Next(1500));
                var protocol = v6 ? (ushort)0x0057 : (ushort)0x0021;
                if (random.Next(2) == 0)
                {
                    buffer[at + 6] = (byte)protocol;
                    return at + 7;
                }
                BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(at + 6), protocol);
                return at + 8;
            }
            default:
                encapsulated = false;
                BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(at - 2), v6 ? (ushort)0x86DD : (ushort)0x0800);
                return at;
        }
    }

    /// <summary>Writes a packet for the link type into buffer: a seed behind the right link header, then mutated.</summary>
    private static int Mutate(Random random, List<byte[]> seeds, int linkType, byte[] buffer, out bool encapsulated)
    {
        encapsulated = false;
        if (random.Next(10) == 0)
        {
            var size = random.Next(0, 200);
            random.NextBytes(buffer.AsSpan(0, size));
            return size;
        }
        var seed = seeds[random.Next(seeds.Count)];
        var v6 = seed[0] >> 4 == 6;
        int header;
        switch (linkType)
        {
            case LinkTypes.Ethernet:
            {
                var tags = random.Next(4);
                random.NextBytes(buffer.AsSpan(0, 12));
                for (var t = 0; t < tags; t++)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(12 + 4 * t), t == 0 && tags > 1 ? (ushort)0x88A8 : (ushort)0x8100);
                    BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(14 + 4 * t), (ushort)random.Next(4096));
                }
                header = Encapsulate(random, buffer, 14 + 4 * tags, v6, out encapsulated);
                break;
            }
            case LinkTypes.LinuxSll:
                random.NextBytes(buffer.AsSpan(0, 14));
                header = Encapsulate(random, buffer, 16, v6, out encapsulated);
                break;
            case LinkTypes.LinuxSll2:
                header = 20;
                random.NextBytes(buffer.AsSpan(0, 20));
                BinaryPrimitives.WriteUInt16BigEndian(buffer, v6 ? (ushort)0x86DD : (ushort)0x0800);
                break;
            case LinkTypes.Null:
            case LinkTypes.Loop:
                header = 4;
                if (random.Next(2) == 0) BinaryPrimitives.WriteUInt32LittleEndian(buffer, v6 ? 30u : 2u);
                else BinaryPrimitives.WriteUInt32BigEndian(buffer, v6 ? 24u : 2u);
                break;
            default:
                header = 0;
                break;
        }
        seed.CopyTo(buffer, header);
        var length = header + seed.Length;
        var flips = random.Next(0, 4);
        for (var f = 0; f < flips; f++) buffer[random.Next(length)] = (byte)random.Next(256);
        if (random.Next(3) == 0)
        {
            // Lie in a length field: IPv4 total length / IHL, IPv6 payload length, TCP data offset.
            var at = header + random.Next(0, Math.Min(seed.Length, 60));
            buffer[at] = (byte)random.Next(256);
        }
        if (random.Next(3) == 0) length = random.Next(0, length + 1);
        return length;
    }
}
