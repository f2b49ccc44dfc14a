using System.Buffers;
using System.Buffers.Text;
using System.Text;
using Monitor.Storage.Sessions;

namespace Monitor.Probe.Sessions;

/// <summary>
/// <c>--sessions PATH|-</c>: one JSON object per session record, one per line. The field names are a
/// contract (README, "Sessions"): start, end, proto, src, sport, dst, dport, packets_src, bytes_src,
/// packets_dst, bytes_dst, flags_src, flags_dst, state, icmp_type, icmp_code, vlan, community_id, reason.
/// Lines collect in a buffer that goes to the file 64 KiB at a time: a busy link ends thousands of
/// sessions a second, and a write per record cost more than the counting of their packets.
/// </summary>
public sealed class SessionJsonLinesSink : ISessionSink
{
    private const int WriteAt = 1 << 16;

    private readonly Stream _stream;
    private readonly ArrayBufferWriter<byte> _lines = new(WriteAt * 2);

    public SessionJsonLinesSink(string target)
    {
        if (target == "-")
        {
            _stream = Console.OpenStandardOutput();
        }
        else
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(target));
            if (directory is not null) Directory.CreateDirectory(directory);
            _stream = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0);
        }
    }

    public void Write(ReadOnlySpan<SessionRecord> records)
    {
        foreach (ref readonly var r in records)
        {
            _lines.Advance(SessionJson.WriteLine(r, _lines.GetSpan(SessionJson.MaxLine)));
            if (_lines.WrittenCount >= WriteAt) WriteOut();
        }
    }

    public void Flush()
    {
        WriteOut();
        _stream.Flush();
    }

    public void Dispose()
    {
        WriteOut();
        _stream.Dispose();
    }

    private void WriteOut()
    {
        if (_lines.WrittenCount == 0) return;
        _stream.Write(_lines.WrittenSpan);
        _lines.ResetWrittenCount();
    }
}

/// <summary>
/// The JSON line of a session record, written byte by byte: every value is a number, an address, a
/// base64 ID or a word of a fixed vocabulary, so none needs escaping, and a general JSON writer's
/// checks cost more than the writing (the probe writes hundreds of thousands of lines a second).
/// </summary>
public static class SessionJson
{
    /// <summary>Room one line may take (the longest, two IPv6 addresses with every field, is under 600 bytes).</summary>
    public const int MaxLine = 1024;

    private static readonly byte[][] States = Enum.GetValues<SessionState>().Select(s => Encoding.ASCII.GetBytes(s.ToString())).ToArray();
    private static readonly byte[][] Reasons = Enum.GetValues<SessionEnd>().Select(e => Encoding.ASCII.GetBytes(SessionNames.Reason(e))).ToArray();
    private static readonly byte[][] Flags = Enumerable.Range(0, 256).Select(f => Encoding.ASCII.GetBytes(SessionNames.Flags((byte)f))).ToArray();
    private static readonly byte[][] Protos = Enumerable.Range(0, 256).Select(p => Encoding.ASCII.GetBytes(SessionNames.Proto((byte)p))).ToArray();

    /// <summary>Writes the record's line, newline included, into <paramref name="line"/> (at least <see cref="MaxLine"/> bytes); returns its length.</summary>
    public static int WriteLine(in SessionRecord r, Span<byte> line)
    {
        var at = 0;
        Raw(line, ref at, "{\"start\":\""u8);
        at += FormatTime(r.Start, line[at..]);
        Raw(line, ref at, "\",\"end\":\""u8);
        at += FormatTime(r.End, line[at..]);
        Raw(line, ref at, "\",\"proto\":\""u8);
        Raw(line, ref at, Protos[r.Proto]);
        Raw(line, ref at, "\",\"src\":\""u8);
        at += SessionAddress.FormatUtf8(r.Src, line[at..]);
        Raw(line, ref at, "\",\"sport\":"u8);
        Number(line, ref at, r.SrcPort);
        Raw(line, ref at, ",\"dst\":\""u8);
        at += SessionAddress.FormatUtf8(r.Dst, line[at..]);
        Raw(line, ref at, "\",\"dport\":"u8);
        Number(line, ref at, r.DstPort);
        Raw(line, ref at, ",\"packets_src\":"u8);
        Number(line, ref at, r.PacketsSrc);
        Raw(line, ref at, ",\"bytes_src\":"u8);
        Number(line, ref at, r.BytesSrc);
        Raw(line, ref at, ",\"packets_dst\":"u8);
        Number(line, ref at, r.PacketsDst);
        Raw(line, ref at, ",\"bytes_dst\":"u8);
        Number(line, ref at, r.BytesDst);
        if (r.Proto == 6)
        {
            Raw(line, ref at, ",\"flags_src\":\""u8);
            Raw(line, ref at, Flags[r.FlagsSrc]);
            Raw(line, ref at, "\",\"flags_dst\":\""u8);
            Raw(line, ref at, Flags[r.FlagsDst]);
            Raw(line, ref at, "\""u8);
        }
        Raw(line, ref at, ",\"state\":\""u8);
        Raw(line, ref at, States[(int)r.State]);
        Raw(line, ref at, "\""u8);
        if (r.Proto is 1 or 58)
        {
            Raw(line, ref at, ",\"icmp_type\":"u8);
            Number(line, ref at, r.IcmpType);
            Raw(line, ref at, ",\"icmp_code\":"u8);
            Number(line, ref at, r.IcmpCode);
        }
        if (r.Vlan != 0)
        {
            Raw(line, ref at, ",\"vlan\":"u8);
            Number(line, ref at, r.Vlan);
        }
        Raw(line, ref at, ",\"community_id\":\""u8);
        CommunityId.Write(r, line[at..]);
        at += CommunityId.Length;
        Raw(line, ref at, "\",\"reason\":\""u8);
        Raw(line, ref at, Reasons[(int)r.Reason]);
        Raw(line, ref at, "\"}\n"u8);
        return at;
    }

    private static void Raw(Span<byte> line, ref int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(line[at..]);
        at += bytes.Length;
    }

    private static void Number(Span<byte> line, ref int at, long value)
    {
        Utf8Formatter.TryFormat(value, line[at..], out var written);
        at += written;
    }

    /// <summary>"yyyy-MM-ddTHH:mm:ss." of the second last formatted on this thread, and that second (+1: 0 is none).</summary>
    [ThreadStatic] private static byte[]? t_secondText;
    [ThreadStatic] private static long t_second;

    /// <summary>"00" to "99": two digits per lookup.</summary>
    private static ReadOnlySpan<byte> Pairs =>
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"u8;

    /// <summary>
    /// UTC as yyyy-MM-ddTHH:mm:ss.ffffffZ (microseconds, as pcap timestamps): 27 bytes. Records written together
    /// end within the same few seconds, so the text up to the second is kept and only the microseconds are new.
    /// </summary>
    internal static int FormatTime(DateTimeOffset time, Span<byte> utf8)
    {
        var ticks = time.UtcTicks;
        var second = ticks / TimeSpan.TicksPerSecond;
        var secondText = t_secondText ??= new byte[20];
        if (t_second != second + 1)
        {
            FormatSecond(new DateTime(ticks, DateTimeKind.Utc), secondText);
            t_second = second + 1;
        }
        secondText.CopyTo(utf8);
        var micros = (int)(ticks % TimeSpan.TicksPerSecond / 10);
        Pair(utf8, 20, micros / 10_000);
        Pair(utf8, 22, micros / 100 % 100);
        Pair(utf8, 24, micros % 100);
        utf8[26] = (byte)'Z';
        return 27;
    }

    private static void FormatSecond(DateTime utc, Span<byte> utf8)
    {
        // One date computation (each of Year, Month, Day computes the date from the ticks again).
        var (year, month, day) = utc;
        var ofDay = utc.Ticks % TimeSpan.TicksPerDay;
        Pair(utf8, 0, year / 100);
        Pair(utf8, 2, year % 100);
        utf8[4] = (byte)'-';
        Pair(utf8, 5, month);
        utf8[7] = (byte)'-';
        Pair(utf8, 8, day);
        utf8[10] = (byte)'T';
        Pair(utf8, 11, (int)(ofDay / TimeSpan.TicksPerHour));
        utf8[13] = (byte)':';
        Pair(utf8, 14, (int)(ofDay / TimeSpan.TicksPerMinute % 60));
        utf8[16] = (byte)':';
        Pair(utf8, 17, (int)(ofDay / TimeSpan.TicksPerSecond % 60));
        utf8[19] = (byte)'.';
    }

    private static void Pair(Span<byte> utf8, int at, int value)
    {
        utf8[at] = Pairs[value * 2];
        utf8[at + 1] = Pairs[value * 2 + 1];
    }
}
