namespace Monitor.Probe.Decode;

public enum NetworkLayer : byte { Other, IPv4, IPv6, Arp }

/// <summary>Transport by the outermost IP header's protocol, as the probe counts it.</summary>
public enum Transport : byte { None, Tcp, Udp, Icmp, IcmpV6, Other }

public enum CastKind : byte { Unicast, Multicast, Broadcast }

[Flags]
public enum TcpFlags : byte
{
    None = 0, Fin = 0x01, Syn = 0x02, Rst = 0x04, Psh = 0x08, Ack = 0x10, Urg = 0x20, Ece = 0x40, Cwr = 0x80,
}

/// <summary>
/// What the workers' tables need to know of one packet, filled by the decoder from the raw bytes
/// without allocation. Ports hold ICMP type and code for ICMP. For ICMP errors, the Quoted* fields
/// describe the packet the error quotes (when present), so UDP weight and scan reports can use them.
/// </summary>
public struct DecodedPacket
{
    /// <summary>Packet time in UTC ticks (100 ns).</summary>
    public long Ticks;
    /// <summary>Original length on the wire (frame.len).</summary>
    public int WireLength;
    public int CapturedLength;

    public NetworkLayer Layer;
    public Transport Transport;
    public CastKind Cast;
    /// <summary>The header or packet was cut short or inconsistent; counted, tables skip what they cannot trust.</summary>
    public bool Malformed;

    public IpAddressKey Source;
    public IpAddressKey Destination;
    /// <summary>The IP protocol number (IPv4 protocol, IPv6 final next header).</summary>
    public byte IpProtocol;
    public ushort SourcePort;
    public ushort DestinationPort;
    public TcpFlags TcpFlags;
    public byte IcmpType;
    public byte IcmpCode;
    /// <summary>ICMP/ICMPv6 echo identifier (echo request and reply only), which tells ping sessions apart.</summary>
    public ushort IcmpEchoId;
    /// <summary>The outermost 802.1Q tag's VLAN id; 0 when the frame is untagged.</summary>
    public ushort VlanId;
    /// <summary>Bytes after the transport header (ICMP: after the 8-byte ICMP header), per the IP length fields.</summary>
    public int PayloadLength;
    /// <summary>TCP/UDP only: how many payload bytes were captured (0 when none or another transport).</summary>
    public int PayloadCaptured;
    /// <summary>
    /// TCP/UDP with captured payload: how far from the frame's end the payload starts (so that the decoder need not
    /// track offsets from the frame's start through every encapsulation; see <see cref="Payload"/>).
    /// </summary>
    public int PayloadFromEnd;
    /// <summary>
    /// The first captured payload byte (with <see cref="PayloadCaptured"/> &gt; 0): the workers tell from it whether
    /// a payload may match a signature without touching the frame, which the capture thread decoded on another core.
    /// </summary>
    public byte PayloadFirstByte;
    /// <summary>Length of the IP packet per its own header (IPv4 total length, IPv6 40 + payload length).</summary>
    public int IpLength;

    public bool HasQuoted;
    public IpAddressKey QuotedSource;
    public IpAddressKey QuotedDestination;
    public byte QuotedProtocol;
    public ushort QuotedSourcePort;
    public ushort QuotedDestinationPort;

    /// <summary>The captured TCP/UDP payload of this packet within the frame it was decoded from; empty when none.</summary>
    public readonly ReadOnlySpan<byte> Payload(ReadOnlySpan<byte> frame) =>
        PayloadCaptured == 0 ? default : frame.Slice(frame.Length - PayloadFromEnd, PayloadCaptured);

    public readonly bool IsIp => Layer is NetworkLayer.IPv4 or NetworkLayer.IPv6;

    /// <summary>ICMP (v4 types 3, 4, 5, 11, 12) or ICMPv6 (types 1-4) error message.</summary>
    public readonly bool IsIcmpError => Transport switch
    {
        Transport.Icmp => IcmpType is 3 or 4 or 5 or 11 or 12,
        Transport.IcmpV6 => IcmpType is >= 1 and <= 4,
        _ => false,
    };
}
