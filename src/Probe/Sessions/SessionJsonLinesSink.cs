using System.Text.Json;
using Monitor.Storage.Sessions;

namespace Monitor.Probe.Sessions;

/// <summary>
/// <c>--sessions PATH|-</c>: one JSON object per session record, one per line. The field names are a
/// contract (README, "Sessions"): start, end, proto, src, sport, dst, dport, packets_src, bytes_src,
/// packets_dst, bytes_dst, flags_src, flags_dst, state, icmp_type, icmp_code, vlan, community_id, reason.
/// </summary>
public sealed class SessionJsonLinesSink : ISessionSink
{
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly Utf8JsonWriter _writer;

    public SessionJsonLinesSink(string target)
    {
        if (target == "-")
        {
            _stream = new BufferedStream(Console.OpenStandardOutput(), 1 << 16);
            _ownsStream = true;
        }
        else
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(target));
            if (directory is not null) Directory.CreateDirectory(directory);
            _stream = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
            _ownsStream = true;
        }
        _writer = new Utf8JsonWriter(_stream, new JsonWriterOptions { SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public void Write(ReadOnlySpan<SessionRecord> records)
    {
        foreach (ref readonly var r in records)
        {
            SessionJson.Write(_writer, r);
            _writer.Flush();
            _writer.Reset();
            _stream.WriteByte((byte)'\n');
        }
    }

    public void Flush() => _stream.Flush();

    public void Dispose()
    {
        _writer.Dispose();
        _stream.Flush();
        if (_ownsStream) _stream.Dispose();
    }
}

/// <summary>The JSON form of a session record (JSON Lines and the site's export share it).</summary>
public static class SessionJson
{
    public static void Write(Utf8JsonWriter w, in SessionRecord r)
    {
        w.WriteStartObject();
        w.WriteString("start", r.Start.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", System.Globalization.CultureInfo.InvariantCulture));
        w.WriteString("end", r.End.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", System.Globalization.CultureInfo.InvariantCulture));
        w.WriteString("proto", SessionNames.Proto(r.Proto));
        w.WriteString("src", SessionAddress.ToText(r.Src));
        w.WriteNumber("sport", r.SrcPort);
        w.WriteString("dst", SessionAddress.ToText(r.Dst));
        w.WriteNumber("dport", r.DstPort);
        w.WriteNumber("packets_src", r.PacketsSrc);
        w.WriteNumber("bytes_src", r.BytesSrc);
        w.WriteNumber("packets_dst", r.PacketsDst);
        w.WriteNumber("bytes_dst", r.BytesDst);
        if (r.Proto == 6)
        {
            w.WriteString("flags_src", SessionNames.Flags(r.FlagsSrc));
            w.WriteString("flags_dst", SessionNames.Flags(r.FlagsDst));
        }
        w.WriteString("state", r.State.ToString());
        if (r.Proto is 1 or 58)
        {
            w.WriteNumber("icmp_type", r.IcmpType);
            w.WriteNumber("icmp_code", r.IcmpCode);
        }
        if (r.Vlan != 0) w.WriteNumber("vlan", r.Vlan);
        w.WriteString("community_id", CommunityId.Of(r));
        w.WriteString("reason", SessionNames.Reason(r.Reason));
        w.WriteEndObject();
    }
}
