using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Monitor.Probe.Decode;

namespace Monitor.Probe.Reports;

/// <summary>Ourmon's application flags on syn and talkers rows, one bit each (see README, "Application flags").</summary>
[Flags]
public enum AppFlags : byte
{
    None = 0,
    /// <summary>B: BitTorrent handshake or DHT query.</summary>
    BitTorrent = 1,
    /// <summary>G: Gnutella handshake.</summary>
    Gnutella = 2,
    /// <summary>K: Kazaa/FastTrack HTTP headers.</summary>
    Kazaa = 4,
    /// <summary>I: IRC messages (JOIN, PRIVMSG, PING, PONG).</summary>
    Irc = 8,
    /// <summary>T: a TLS ClientHello without server name indication.</summary>
    TlsNoSni = 16,
    /// <summary>S: an SSH banner on a port other than 22.</summary>
    SshOffPort = 32,
}

/// <summary>
/// The first-payload signatures behind the application flags, matched on the payload's first bytes only. The gate
/// (<see cref="MayMatch"/>) is one table lookup of the first byte, so bulk data segments (most of them start with
/// bytes no signature or IRC command starts with) cost one load and a branch.
/// </summary>
public static class AppSignatures
{
    /// <summary>How far into a payload the Kazaa header is looked for (the request or response head).</summary>
    public const int HeaderSearchBytes = 1024;

    private static ReadOnlySpan<byte> BitTorrentHandshake => "\u0013BitTorrent protocol"u8;
    private static ReadOnlySpan<byte> DhtQuery => "d1:ad2:id20:"u8;
    private static ReadOnlySpan<byte> GnutellaConnect => "GNUTELLA CONNECT"u8;
    private static ReadOnlySpan<byte> GnutellaReply => "GNUTELLA/0.6"u8;
    private static ReadOnlySpan<byte> KazaaHeader => "X-Kazaa-"u8;
    private static ReadOnlySpan<byte> HttpGet => "GET "u8;
    private static ReadOnlySpan<byte> HttpReply => "HTTP/1."u8;
    private static ReadOnlySpan<byte> SshBanner => "SSH-"u8;

    /// <summary>
    /// First bytes a signature or an IRC line can start with: 0x13 (BitTorrent), 0x16 (TLS handshake), 'd' (DHT),
    /// ':' (IRC prefix) and 'A'..'Z' (IRC commands, GNUTELLA, GET, HTTP, SSH).
    /// </summary>
    private static ReadOnlySpan<bool> Candidates => new bool[256]
    {
        false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false,
        false, false, false, true, false, false, true, false, false, false, false, false, false, false, false, false,
        false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false,
        false, false, false, false, false, false, false, false, false, false, true, false, false, false, false, false,
        false, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true,
        true, true, true, true, true, true, true, true, true, true, true, false, false, false, false, false,
        false, false, false, false, true, false, false, false, false, false, false, false, false, false, false, false,
        false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false,
        false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false,
        false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false,
        false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false,
        false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false,
        false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false,
        false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false,
        false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false,
        false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false,
    };

    /// <summary>Whether a payload starting with this byte may match a signature or hold IRC lines.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool MayMatch(byte first) => Candidates[first];

    /// <summary>The flags (other than I, which the IRC parser sets) the packet's payload shows for its sender.</summary>
    public static AppFlags Match(in DecodedPacket p, ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty) return AppFlags.None;
        if (p.Transport == Transport.Udp) return payload.StartsWith(DhtQuery) ? AppFlags.BitTorrent : AppFlags.None;
        switch (payload[0])
        {
            case 0x13:
                return payload.StartsWith(BitTorrentHandshake) ? AppFlags.BitTorrent : AppFlags.None;
            case 0x16:
                return IsClientHelloWithoutSni(payload) ? AppFlags.TlsNoSni : AppFlags.None;
            case (byte)'G':
                if (payload.StartsWith(GnutellaConnect) || payload.StartsWith(GnutellaReply)) return AppFlags.Gnutella;
                return payload.StartsWith(HttpGet) && HasKazaaHeader(payload) ? AppFlags.Kazaa : AppFlags.None;
            case (byte)'H':
                return payload.StartsWith(HttpReply) && HasKazaaHeader(payload) ? AppFlags.Kazaa : AppFlags.None;
            case (byte)'S':
                return payload.StartsWith(SshBanner) && p.SourcePort != 22 && p.DestinationPort != 22 ? AppFlags.SshOffPort : AppFlags.None;
            default:
                return AppFlags.None;
        }
    }

    private static bool HasKazaaHeader(ReadOnlySpan<byte> payload) =>
        payload[..Math.Min(payload.Length, HeaderSearchBytes)].IndexOf(KazaaHeader) >= 0;

    /// <summary>
    /// A TLS handshake record (0x16, version 3.x) whose first message is a ClientHello (type 1) with its extensions
    /// captured, none of them server_name (type 0). A hello cut short by the snap length is not judged.
    /// </summary>
    public static bool IsClientHelloWithoutSni(ReadOnlySpan<byte> record)
    {
        // Record header (5), handshake header (4), version (2), random (32), then the session id.
        if (record.Length < 5 + 4 + 2 + 32 + 1 || record[0] != 0x16 || record[1] != 3 || record[5] != 1) return false;
        var at = 5 + 4 + 2 + 32;
        at += 1 + record[at];
        if (record.Length < at + 2) return false;
        at += 2 + BinaryPrimitives.ReadUInt16BigEndian(record[at..]);
        if (record.Length < at + 1) return false;
        at += 1 + record[at];
        // No extensions at all (SSLv3-style hello): no SNI either.
        if (record.Length == at) return true;
        if (record.Length < at + 2) return false;
        var end = at + 2 + BinaryPrimitives.ReadUInt16BigEndian(record[at..]);
        if (record.Length < end) return false;
        for (at += 2; at + 4 <= end; at += 4 + BinaryPrimitives.ReadUInt16BigEndian(record[(at + 2)..]))
            if (BinaryPrimitives.ReadUInt16BigEndian(record[at..]) == 0) return false;
        return true;
    }

    /// <summary>The flags as Ourmon's letters, in the order B G K I T S.</summary>
    public static string Letters(AppFlags flags)
    {
        if (flags == AppFlags.None) return "";
        Span<char> letters = stackalloc char[6];
        var n = 0;
        if ((flags & AppFlags.BitTorrent) != 0) letters[n++] = 'B';
        if ((flags & AppFlags.Gnutella) != 0) letters[n++] = 'G';
        if ((flags & AppFlags.Kazaa) != 0) letters[n++] = 'K';
        if ((flags & AppFlags.Irc) != 0) letters[n++] = 'I';
        if ((flags & AppFlags.TlsNoSni) != 0) letters[n++] = 'T';
        if ((flags & AppFlags.SshOffPort) != 0) letters[n++] = 'S';
        return new string(letters[..n]);
    }
}
