using System.Buffers.Binary;

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
        OneBlockSha1.Hash(input[..at], hash);
        utf8[0] = (byte)'1';
        utf8[1] = (byte)':';
        Base64Of20(hash, utf8[2..]);
    }

    private static ReadOnlySpan<byte> Alphabet => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"u8;

    /// <summary>
    /// Base64 of a SHA-1 (28 bytes, one '=' of padding), by hand: the library's vectorized encoder sets up
    /// for long inputs and cost four times this on 20 bytes (measured: 1.7 % of the probe's CPU writing sessions).
    /// </summary>
    private static void Base64Of20(ReadOnlySpan<byte> hash, Span<byte> utf8)
    {
        var alphabet = Alphabet;
        for (int i = 0, j = 0; i < 18; i += 3, j += 4)
        {
            var v = (uint)hash[i] << 16 | (uint)hash[i + 1] << 8 | hash[i + 2];
            utf8[j] = alphabet[(int)(v >> 18)];
            utf8[j + 1] = alphabet[(int)(v >> 12 & 63)];
            utf8[j + 2] = alphabet[(int)(v >> 6 & 63)];
            utf8[j + 3] = alphabet[(int)(v & 63)];
        }
        var last = (uint)hash[18] << 16 | (uint)hash[19] << 8;
        utf8[24] = alphabet[(int)(last >> 18)];
        utf8[25] = alphabet[(int)(last >> 12 & 63)];
        utf8[26] = alphabet[(int)(last >> 6 & 63)];
        utf8[27] = (byte)'=';
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

/// <summary>
/// SHA-1 (FIPS 180-4) of a message that fits one block (at most 55 bytes, as every Community ID input does).
/// The platform's one-shot SHA-1 goes through OpenSSL's EVP layer, whose per-call setup costs several
/// times the hash itself on inputs this short (measured: 10 % of the probe's CPU writing the benchmark
/// capture's sessions). So this pads the block itself and hands it to OpenSSL's bare compression function,
/// <c>SHA1_Transform</c>, which uses the CPU's SHA instructions where it has them (measured: a fifth of the
/// managed rounds' time); where libcrypto or that export is missing, the same rounds run in C#. Both are
/// checked against SHA1.HashData for every length it takes.
/// </summary>
internal static unsafe class OneBlockSha1
{
    public const int MaxInput = 55;

    private static readonly delegate* unmanaged[SuppressGCTransition]<uint*, byte*, void> Transform = FindTransform();

    /// <summary>True when OpenSSL's compression function does the rounds.</summary>
    public static bool UsesOpenSsl => Transform != null;

    private static delegate* unmanaged[SuppressGCTransition]<uint*, byte*, void> FindTransform()
    {
        foreach (var name in new[] { "libcrypto.so.3", "libcrypto.so" })
            if (System.Runtime.InteropServices.NativeLibrary.TryLoad(name, out var library)
                && System.Runtime.InteropServices.NativeLibrary.TryGetExport(library, "SHA1_Transform", out var export))
                return (delegate* unmanaged[SuppressGCTransition]<uint*, byte*, void>)export;
        return null;
    }

    public static void Hash(ReadOnlySpan<byte> message, Span<byte> hash) => Hash(message, hash, Transform != null);

    /// <summary>As <see cref="Hash(ReadOnlySpan{byte}, Span{byte})"/>; <paramref name="openSsl"/> false runs the C# rounds (for tests).</summary>
    internal static void Hash(ReadOnlySpan<byte> message, Span<byte> hash, bool openSsl)
    {
        if (message.Length > MaxInput) throw new ArgumentException($"at most {MaxInput} bytes", nameof(message));
        if (hash.Length < 20) throw new ArgumentException("20 bytes", nameof(hash));
        var block = stackalloc byte[64];
        new Span<byte>(block, 64).Clear();
        message.CopyTo(new Span<byte>(block, 64));
        block[message.Length] = 0x80;
        BinaryPrimitives.WriteUInt64BigEndian(new Span<byte>(block + 56, 8), (ulong)message.Length * 8);

        // OpenSSL's SHA_CTX: h0..h4 first, then the byte count and buffer that SHA1_Transform leaves alone.
        var state = stackalloc uint[24];
        state[0] = 0x67452301;
        state[1] = 0xEFCDAB89;
        state[2] = 0x98BADCFE;
        state[3] = 0x10325476;
        state[4] = 0xC3D2E1F0;
        if (openSsl && Transform != null) Transform(state, block);
        else Rounds(state, block);
        for (var i = 0; i < 5; i++) BinaryPrimitives.WriteUInt32BigEndian(hash[(i * 4)..], state[i]);
    }

    private static void Rounds(uint* h, byte* block)
    {
        // A pointer, not a span: the schedule's indexes are all in range by construction, and the bounds
        // checks of 80 rounds cost more than the rounds.
        var w = stackalloc uint[80];
        for (var i = 0; i < 16; i++) w[i] = BinaryPrimitives.ReadUInt32BigEndian(new ReadOnlySpan<byte>(block + i * 4, 4));
        for (var i = 16; i < 80; i++) w[i] = uint.RotateLeft(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);

        uint a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
        for (var i = 0; i < 20; i++) Round(ref a, ref b, ref c, ref d, ref e, ((b & c) | (~b & d)) + 0x5A827999u + w[i]);
        for (var i = 20; i < 40; i++) Round(ref a, ref b, ref c, ref d, ref e, (b ^ c ^ d) + 0x6ED9EBA1u + w[i]);
        for (var i = 40; i < 60; i++) Round(ref a, ref b, ref c, ref d, ref e, ((b & c) | (b & d) | (c & d)) + 0x8F1BBCDCu + w[i]);
        for (var i = 60; i < 80; i++) Round(ref a, ref b, ref c, ref d, ref e, (b ^ c ^ d) + 0xCA62C1D6u + w[i]);
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
    }

    /// <summary>One round: <paramref name="mixed"/> is the round's function of b, c, d plus its constant and schedule word.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Round(ref uint a, ref uint b, ref uint c, ref uint d, ref uint e, uint mixed)
    {
        var t = uint.RotateLeft(a, 5) + mixed + e;
        e = d;
        d = c;
        c = uint.RotateLeft(b, 30);
        b = a;
        a = t;
    }
}
