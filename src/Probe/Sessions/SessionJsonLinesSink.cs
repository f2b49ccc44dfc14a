using System.Buffers;
using System.Text.Json;
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
    private readonly Utf8JsonWriter _writer;

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
        _writer = new Utf8JsonWriter(_lines, new JsonWriterOptions { SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public void Write(ReadOnlySpan<SessionRecord> records)
    {
        foreach (ref readonly var r in records)
        {
            SessionJson.Write(_writer, r);
            // Into the buffer, not the file: the writer's Flush only moves its bytes into _lines.
            _writer.Flush();
            _writer.Reset();
            _lines.GetSpan(1)[0] = (byte)'\n';
            _lines.Advance(1);
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
        _writer.Dispose();
        _stream.Dispose();
    }

    private void WriteOut()
    {
        if (_lines.WrittenCount == 0) return;
        _stream.Write(_lines.WrittenSpan);
        _lines.ResetWrittenCount();
    }
}

/// <summary>The JSON form of a session record, written without allocating: the writer runs once per record.</summary>
public static class SessionJson
{
    private static readonly JsonEncodedText Start = JsonEncodedText.Encode("start");
    private static readonly JsonEncodedText End = JsonEncodedText.Encode("end");
    private static readonly JsonEncodedText ProtoName = JsonEncodedText.Encode("proto");
    private static readonly JsonEncodedText Src = JsonEncodedText.Encode("src");
    private static readonly JsonEncodedText Sport = JsonEncodedText.Encode("sport");
    private static readonly JsonEncodedText Dst = JsonEncodedText.Encode("dst");
    private static readonly JsonEncodedText Dport = JsonEncodedText.Encode("dport");
    private static readonly JsonEncodedText PacketsSrc = JsonEncodedText.Encode("packets_src");
    private static readonly JsonEncodedText BytesSrc = JsonEncodedText.Encode("bytes_src");
    private static readonly JsonEncodedText PacketsDst = JsonEncodedText.Encode("packets_dst");
    private static readonly JsonEncodedText BytesDst = JsonEncodedText.Encode("bytes_dst");
    private static readonly JsonEncodedText FlagsSrc = JsonEncodedText.Encode("flags_src");
    private static readonly JsonEncodedText FlagsDst = JsonEncodedText.Encode("flags_dst");
    private static readonly JsonEncodedText StateName = JsonEncodedText.Encode("state");
    private static readonly JsonEncodedText IcmpType = JsonEncodedText.Encode("icmp_type");
    private static readonly JsonEncodedText IcmpCode = JsonEncodedText.Encode("icmp_code");
    private static readonly JsonEncodedText Vlan = JsonEncodedText.Encode("vlan");
    private static readonly JsonEncodedText CommunityIdName = JsonEncodedText.Encode("community_id");
    private static readonly JsonEncodedText ReasonName = JsonEncodedText.Encode("reason");

    // Every value of the fixed vocabularies, encoded once.
    private static readonly JsonEncodedText[] States =
        Enum.GetValues<SessionState>().Select(s => JsonEncodedText.Encode(s.ToString())).ToArray();
    private static readonly JsonEncodedText[] Reasons =
        Enum.GetValues<SessionEnd>().Select(e => JsonEncodedText.Encode(SessionNames.Reason(e))).ToArray();
    private static readonly JsonEncodedText[] Flags =
        Enumerable.Range(0, 256).Select(f => JsonEncodedText.Encode(SessionNames.Flags((byte)f))).ToArray();
    private static readonly JsonEncodedText[] Protos =
        Enumerable.Range(0, 256).Select(p => JsonEncodedText.Encode(SessionNames.Proto((byte)p))).ToArray();

    public static void Write(Utf8JsonWriter w, in SessionRecord r)
    {
        Span<byte> text = stackalloc byte[Math.Max(SessionAddress.MaxTextLength, CommunityId.Length)];
        w.WriteStartObject();
        w.WriteString(Start, text[..FormatTime(r.Start, text)]);
        w.WriteString(End, text[..FormatTime(r.End, text)]);
        w.WriteString(ProtoName, Protos[r.Proto]);
        w.WriteString(Src, text[..SessionAddress.FormatUtf8(r.Src, text)]);
        w.WriteNumber(Sport, r.SrcPort);
        w.WriteString(Dst, text[..SessionAddress.FormatUtf8(r.Dst, text)]);
        w.WriteNumber(Dport, r.DstPort);
        w.WriteNumber(PacketsSrc, r.PacketsSrc);
        w.WriteNumber(BytesSrc, r.BytesSrc);
        w.WriteNumber(PacketsDst, r.PacketsDst);
        w.WriteNumber(BytesDst, r.BytesDst);
        if (r.Proto == 6)
        {
            w.WriteString(FlagsSrc, Flags[r.FlagsSrc]);
            w.WriteString(FlagsDst, Flags[r.FlagsDst]);
        }
        w.WriteString(StateName, States[(int)r.State]);
        if (r.Proto is 1 or 58)
        {
            w.WriteNumber(IcmpType, r.IcmpType);
            w.WriteNumber(IcmpCode, r.IcmpCode);
        }
        if (r.Vlan != 0) w.WriteNumber(Vlan, r.Vlan);
        CommunityId.Write(r, text);
        w.WriteString(CommunityIdName, text[..CommunityId.Length]);
        w.WriteString(ReasonName, Reasons[(int)r.Reason]);
        w.WriteEndObject();
    }

    /// <summary>UTC as yyyy-MM-ddTHH:mm:ss.ffffffZ (microseconds, as pcap timestamps): 27 bytes.</summary>
    internal static int FormatTime(DateTimeOffset time, Span<byte> utf8)
    {
        var utc = time.UtcDateTime;
        Digits(utf8[..4], utc.Year);
        utf8[4] = (byte)'-';
        Digits(utf8.Slice(5, 2), utc.Month);
        utf8[7] = (byte)'-';
        Digits(utf8.Slice(8, 2), utc.Day);
        utf8[10] = (byte)'T';
        Digits(utf8.Slice(11, 2), utc.Hour);
        utf8[13] = (byte)':';
        Digits(utf8.Slice(14, 2), utc.Minute);
        utf8[16] = (byte)':';
        Digits(utf8.Slice(17, 2), utc.Second);
        utf8[19] = (byte)'.';
        Digits(utf8.Slice(20, 6), (int)(utc.Ticks % TimeSpan.TicksPerSecond / 10));
        utf8[26] = (byte)'Z';
        return 27;
    }

    private static void Digits(Span<byte> utf8, int value)
    {
        for (var i = utf8.Length - 1; i >= 0; i--, value /= 10) utf8[i] = (byte)('0' + value % 10);
    }
}
