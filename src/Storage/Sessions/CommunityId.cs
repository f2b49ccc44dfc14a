using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;

namespace Monitor.Storage.Sessions;

/// <summary>
/// Community ID v1 (corelight/community-id-spec), the flow hash Zeek, Suricata and Arkime share, so a
/// session can be looked up in those tools: SHA-1 over seed, ordered addresses, protocol, a zero byte
/// and, where the protocol has them, ordered ports; base64, prefixed "1:". Session records already
/// carry ICMP's port equivalents (type, counterpart type or code), so ICMP needs no mapping here,
/// only the rule that one-way ICMP messages are never reordered.
/// </summary>
public static class CommunityId
{
    /// <summary>Length of a v1 Community ID in bytes: "1:" and the base64 of a SHA-1.</summary>
    public const int Length = 30;

    public static string Of(in SessionRecord session, ushort seed = 0) =>
        Of(session.Proto, session.Src, session.SrcPort, session.Dst, session.DstPort, seed);

    public static string Of(byte proto, UInt128 src, ushort srcPort, UInt128 dst, ushort dstPort, ushort seed = 0)
    {
        Span<byte> utf8 = stackalloc byte[Length];
        Write(proto, src, srcPort, dst, dstPort, utf8, seed);
        return System.Text.Encoding.ASCII.GetString(utf8);
    }

    /// <summary>Writes the ID as ASCII into <paramref name="utf8"/> (at least <see cref="Length"/> bytes), without allocating.</summary>
    public static void Write(in SessionRecord session, Span<byte> utf8, ushort seed = 0) =>
        Write(session.Proto, session.Src, session.SrcPort, session.Dst, session.DstPort, utf8, seed);

    public static void Write(byte proto, UInt128 src, ushort srcPort, UInt128 dst, ushort dstPort, Span<byte> utf8, ushort seed = 0)
    {
        var hasPorts = proto is 6 or 17 or 132 or 1 or 58;
        var v4 = SessionAddress.IsV4(src) && SessionAddress.IsV4(dst);
        var ordered = src < dst || (src == dst && srcPort <= dstPort);
        if ((proto is 1 or 58) && IsOneWay(proto, (byte)srcPort)) ordered = true;
        if (!hasPorts) ordered = src <= dst;
        if (!ordered)
        {
            (src, dst) = (dst, src);
            (srcPort, dstPort) = (dstPort, srcPort);
        }
        Span<byte> input = stackalloc byte[2 + 32 + 2 + 4];
        BinaryPrimitives.WriteUInt16BigEndian(input, seed);
        var at = 2;
        if (v4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(input[at..], (uint)src);
            BinaryPrimitives.WriteUInt32BigEndian(input[(at + 4)..], (uint)dst);
            at += 8;
        }
        else
        {
            BinaryPrimitives.WriteUInt128BigEndian(input[at..], src);
            BinaryPrimitives.WriteUInt128BigEndian(input[(at + 16)..], dst);
            at += 32;
        }
        input[at++] = proto;
        input[at++] = 0;
        if (hasPorts)
        {
            BinaryPrimitives.WriteUInt16BigEndian(input[at..], srcPort);
            BinaryPrimitives.WriteUInt16BigEndian(input[(at + 2)..], dstPort);
            at += 4;
        }
        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(input[..at], hash);
        utf8[0] = (byte)'1';
        utf8[1] = (byte)':';
        Base64.EncodeToUtf8(hash, utf8[2..], out _, out _);
    }

    /// <summary>Zeek's ICMP port equivalents: (type, counterpart type) for request/reply pairs, else (type, code).</summary>
    public static (ushort Type, ushort Counterpart, bool OneWay) PortEquivalents(bool v6, byte type, byte code)
    {
        int counterpart = v6
            ? type switch
            {
                128 => 129, 129 => 128, 130 => 131, 131 => 130, 133 => 134, 134 => 133,
                135 => 136, 136 => 135, 139 => 140, 140 => 139, 144 => 145, 145 => 144, _ => -1,
            }
            : type switch
            {
                8 => 0, 0 => 8, 13 => 14, 14 => 13, 15 => 16, 16 => 15, 10 => 9, 9 => 10, 17 => 18, 18 => 17, _ => -1,
            };
        return counterpart < 0 ? (type, code, true) : (type, (ushort)counterpart, false);
    }

    private static bool IsOneWay(byte proto, byte type) => PortEquivalents(proto == 58, type, 0).OneWay;
}
