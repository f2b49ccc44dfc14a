using System.Globalization;
using System.Runtime.InteropServices;
using Monitor.Probe.Decode;
using Monitor.Probe.Reports.Tables;
using Monitor.Storage.Model.Snapshots;
using Monitor.Storage.Summaries;

namespace Monitor.Probe.Reports;

/// <summary>
/// Ourmon's IRC report, on any TCP port: every line of a segment's payload (split on LF, a CR before it dropped) is
/// read for JOIN, PRIVMSG, PING and PONG after an optional :prefix; the first line that does not look like an IRC
/// message ends the segment's parse, so HTTP or SMTP heads cost a line or two. Channel names are case-folded
/// (RFC 1459) and cut to <see cref="MaxChannelLength"/>; message text is never kept.
/// A message belongs to the IRC client of the connection: with a prefix it came from the server (the client is the
/// destination), without one a JOIN or PRIVMSG came from the client; PING and PONG without a prefix go either way,
/// and the side with the lower port is taken for the server. Channel members are the clients that joined or wrote
/// to it. Only IRC segments allocate (a channel name the first time it is seen in an interval).
/// </summary>
internal sealed class IrcReport(int capacity)
{
    public const int MaxChannelLength = 50;
    /// <summary>Lines read from one segment at most (a server burst of a full channel list is long).</summary>
    public const int MaxLines = 256;
    /// <summary>Members a channel row lists for links to host pages (its hosts count is exact).</summary>
    public const int ListedMembers = 32;
    /// <summary>Members (and channels per host) kept per interval; beyond it the row's count is a lower bound.</summary>
    public const int MaxMembers = 4096;

    private sealed class HostEntry
    {
        public long Joins, Privmsgs, Pings, Pongs;
        public IpAddressKey Server;
        public ushort ServerPort;
        public readonly HashSet<string> Channels = new(StringComparer.Ordinal);
    }

    private sealed class ChannelEntry
    {
        public long Joins, Privmsgs;
        public readonly HashSet<IpAddressKey> Members = [];
        public readonly HashSet<(IpAddressKey, ushort)> Servers = [];
    }

    private readonly Dictionary<IpAddressKey, HostEntry> _hosts = [];
    private readonly Dictionary<string, ChannelEntry> _channels = new(StringComparer.Ordinal);

    public int Capacity { get; } = capacity;
    public long Joins { get; private set; }
    public long Privmsgs { get; private set; }
    public long Pings { get; private set; }
    public long Pongs { get; private set; }
    /// <summary>Hosts and channels turned away because the tables were full (their messages still count in the series).</summary>
    public long Folded { get; private set; }
    public int Keys => _hosts.Count + _channels.Count;

    private enum Command { Other, Join, Privmsg, Ping, Pong }

    /// <summary>Reads the segment's IRC lines; true (and the client) when at least one message of the four was found.</summary>
    public bool Parse(in DecodedPacket p, ReadOnlySpan<byte> payload, out IpAddressKey client)
    {
        client = default;
        var found = false;
        Span<char> name = stackalloc char[MaxChannelLength];
        for (var lines = 0; !payload.IsEmpty && lines < MaxLines; lines++)
        {
            var end = payload.IndexOf((byte)'\n');
            var line = end < 0 ? payload : payload[..end];
            payload = end < 0 ? default : payload[(end + 1)..];
            if (!line.IsEmpty && line[^1] == '\r') line = line[..^1];
            if (line.IsEmpty) continue;
            var hasPrefix = line[0] == ':';
            if (hasPrefix)
            {
                var space = line.IndexOf((byte)' ');
                if (space < 2) return found;
                line = line[(space + 1)..].TrimStart((byte)' ');
            }
            var commandEnd = line.IndexOf((byte)' ');
            var word = commandEnd < 0 ? line : line[..commandEnd];
            if (!IsCommandWord(word)) return found;
            var command = word switch
            {
                _ when word.SequenceEqual("JOIN"u8) => Command.Join,
                _ when word.SequenceEqual("PRIVMSG"u8) => Command.Privmsg,
                _ when word.SequenceEqual("PING"u8) => Command.Ping,
                _ when word.SequenceEqual("PONG"u8) => Command.Pong,
                _ => Command.Other,
            };
            if (command == Command.Other) continue;
            var fromServer = hasPrefix || (command is Command.Ping or Command.Pong && p.SourcePort < p.DestinationPort);
            client = fromServer ? p.Destination : p.Source;
            var server = fromServer ? (p.Source, p.SourcePort) : (p.Destination, p.DestinationPort);
            found = true;
            var host = Host(client, server);
            var parameters = commandEnd < 0 ? default : line[(commandEnd + 1)..].TrimStart((byte)' ');
            switch (command)
            {
                case Command.Join:
                    Joins++;
                    if (host is not null) host.Joins++;
                    // JOIN #a,#b keys (or JOIN :#a from a server): each listed channel.
                    if (!parameters.IsEmpty && parameters[0] == ':') parameters = parameters[1..];
                    var list = parameters.IndexOf((byte)' ') is var s and >= 0 ? parameters[..s] : parameters;
                    foreach (var range in list.Split((byte)','))
                        Channel(list[range], name, client, server, host, join: true);
                    break;
                case Command.Privmsg:
                    Privmsgs++;
                    if (host is not null) host.Privmsgs++;
                    var target = parameters.IndexOf((byte)' ') is var t and >= 0 ? parameters[..t] : parameters;
                    Channel(target, name, client, server, host, join: false);
                    break;
                case Command.Ping:
                    Pings++;
                    if (host is not null) host.Pings++;
                    break;
                default:
                    Pongs++;
                    if (host is not null) host.Pongs++;
                    break;
            }
        }
        return found;
    }

    /// <summary>A command: 1..20 ASCII letters, or a three-digit numeric reply.</summary>
    private static bool IsCommandWord(ReadOnlySpan<byte> word)
    {
        if (word.IsEmpty || word.Length > 20) return false;
        if (word.Length == 3 && char.IsAsciiDigit((char)word[0]) && char.IsAsciiDigit((char)word[1]) && char.IsAsciiDigit((char)word[2])) return true;
        foreach (var b in word)
            if (!char.IsAsciiLetter((char)b)) return false;
        return true;
    }

    private HostEntry? Host(IpAddressKey client, (IpAddressKey Ip, ushort Port) server)
    {
        if (!_hosts.TryGetValue(client, out var host))
        {
            if (_hosts.Count >= Capacity)
            {
                Folded++;
                return null;
            }
            _hosts[client] = host = new HostEntry();
        }
        host.Server = server.Ip;
        host.ServerPort = server.Port;
        return host;
    }

    private void Channel(ReadOnlySpan<byte> raw, Span<char> name, IpAddressKey client, (IpAddressKey, ushort) server, HostEntry? host, bool join)
    {
        if (raw.IsEmpty || raw[0] is not ((byte)'#' or (byte)'&' or (byte)'+' or (byte)'!')) return;
        var length = Math.Min(raw.Length, MaxChannelLength);
        for (var i = 0; i < length; i++) name[i] = Fold(raw[i]);
        var key = name[..length];
        var lookup = _channels.GetAlternateLookup<ReadOnlySpan<char>>();
        if (!lookup.TryGetValue(key, out var channel))
        {
            if (_channels.Count >= Capacity)
            {
                Folded++;
                return;
            }
            channel = new ChannelEntry();
            lookup[key] = channel;
        }
        if (join) channel.Joins++;
        else channel.Privmsgs++;
        if (channel.Members.Count < MaxMembers) channel.Members.Add(client);
        if (channel.Servers.Count < ListedMembers) channel.Servers.Add(server);
        if (host is not null && host.Channels.Count < MaxMembers && !host.Channels.GetAlternateLookup<ReadOnlySpan<char>>().Contains(key))
            host.Channels.Add(new string(key));
    }

    /// <summary>RFC 1459 case mapping: ASCII letters and []\^ fold to their lower forms {}|~.</summary>
    private static char Fold(byte b) => b switch
    {
        >= (byte)'A' and <= (byte)'Z' => (char)(b + 32),
        (byte)'[' => '{',
        (byte)']' => '}',
        (byte)'\\' => '|',
        (byte)'^' => '~',
        _ => (char)b,
    };

    public void MergeFrom(IrcReport other)
    {
        Joins += other.Joins;
        Privmsgs += other.Privmsgs;
        Pings += other.Pings;
        Pongs += other.Pongs;
        Folded += other.Folded;
        foreach (var (ip, o) in other._hosts)
        {
            ref var host = ref CollectionsMarshal.GetValueRefOrAddDefault(_hosts, ip, out _);
            host ??= new HostEntry();
            host.Joins += o.Joins; host.Privmsgs += o.Privmsgs; host.Pings += o.Pings; host.Pongs += o.Pongs;
            host.Server = o.Server;
            host.ServerPort = o.ServerPort;
            host.Channels.UnionWith(o.Channels);
        }
        foreach (var (name, o) in other._channels)
        {
            ref var channel = ref CollectionsMarshal.GetValueRefOrAddDefault(_channels, name, out _);
            channel ??= new ChannelEntry();
            channel.Joins += o.Joins;
            channel.Privmsgs += o.Privmsgs;
            channel.Members.UnionWith(o.Members);
            channel.Servers.UnionWith(o.Servers);
        }
    }

    public void Clear()
    {
        _hosts.Clear();
        _channels.Clear();
        Joins = Privmsgs = Pings = Pongs = Folded = 0;
    }

    private static string Endpoint(IpAddressKey ip, ushort port) =>
        ip.IsV4 ? $"{ip}:{port.ToString(CultureInfo.InvariantCulture)}" : $"[{ip}]:{port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The hash a member counts with in the stored <c>_set</c> fields (stable across intervals and probes).</summary>
    private static ulong MemberHash(IpAddressKey ip) => Hashing.Mix(Hashing.Fold(ip));

    private static string SetText(IEnumerable<IpAddressKey> members)
    {
        var set = new DistinctUnion();
        foreach (var ip in members) set.Add(MemberHash(ip));
        return set.ToText();
    }

    /// <summary>
    /// irc_channels: per channel its members, how many of them scan (<paramref name="scans"/>), their largest work
    /// weight, message counts and servers; most scanners first, then most members. Evil when any member scans.
    /// </summary>
    public IReadOnlyList<ReportRow> Channels(RowContext context, Func<IpAddressKey, (double Weight, bool Scans)> scans)
    {
        var items = _channels.Select(kv =>
        {
            var members = kv.Value.Members.Select(ip => (Ip: ip, State: scans(ip))).ToList();
            var scanners = members.Count(m => m.State.Scans);
            return (Name: kv.Key, Entry: kv.Value, Members: members, Scanners: scanners);
        });
        return context.TopRows(items,
            static (a, b) =>
            {
                var c = b.Scanners.CompareTo(a.Scanners);
                if (c == 0) c = b.Members.Count.CompareTo(a.Members.Count);
                return c != 0 ? c : string.CompareOrdinal(a.Name, b.Name);
            },
            t =>
            {
                var listed = t.Members
                    .OrderByDescending(m => m.State.Scans).ThenByDescending(m => m.State.Weight).ThenBy(m => m.Ip, IpOrder.Instance)
                    .Take(ListedMembers).Select(m => m.Ip.ToString());
                var servers = t.Entry.Servers.OrderBy(s => s.Item1, IpOrder.Instance).ThenBy(s => s.Item2).Select(s => Endpoint(s.Item1, s.Item2));
                return
                [
                    new("channel", t.Name),
                    new("hosts", (long)t.Members.Count),
                    new("scanners", (long)t.Scanners),
                    new("max_work_weight", t.Members.Count == 0 ? 0.0 : Math.Round(t.Members.Max(m => m.State.Weight), 2)),
                    new("joins", t.Entry.Joins),
                    new("privmsgs", t.Entry.Privmsgs),
                    new("servers", string.Join(' ', servers)),
                    new("members", string.Join(' ', listed)),
                    new("evil", t.Scanners > 0),
                    new("hosts" + TopAggregator.SetSuffix, SetText(t.Members.Select(m => m.Ip))),
                    new("scanners" + TopAggregator.SetSuffix, SetText(t.Members.Where(m => m.State.Scans).Select(m => m.Ip))),
                ];
            });
    }

    /// <summary>irc_hosts: per IRC client its channels, message counts, work weight and server; largest weight first.</summary>
    public IReadOnlyList<ReportRow> Hosts(RowContext context, Func<IpAddressKey, (double Weight, bool Scans)> scans)
    {
        var items = _hosts.Select(kv => (Ip: kv.Key, Entry: kv.Value, scans(kv.Key).Weight));
        return context.TopRows(items,
            static (a, b) =>
            {
                var c = b.Weight.CompareTo(a.Weight);
                if (c == 0) c = b.Entry.Privmsgs.CompareTo(a.Entry.Privmsgs);
                if (c == 0) c = b.Entry.Joins.CompareTo(a.Entry.Joins);
                return c != 0 ? c : RowContext.CompareIp(a.Ip, b.Ip);
            },
            t =>
            {
                var e = t.Entry;
                var fields = new List<ReportField>
                {
                    new("ip", t.Ip.ToString()),
                    new("channels", string.Join(' ', e.Channels.Order(StringComparer.Ordinal).Take(ListedMembers))),
                    new("joins", e.Joins),
                    new("privmsgs", e.Privmsgs),
                    new("pings", e.Pings),
                    new("pongs", e.Pongs),
                    new("work_weight", Math.Round(t.Weight, 2)),
                    new("server", Endpoint(e.Server, e.ServerPort)),
                };
                context.Inside(fields, "inside", t.Ip);
                return fields;
            });
    }

    private sealed class IpOrder : IComparer<IpAddressKey>
    {
        public static readonly IpOrder Instance = new();
        public int Compare(IpAddressKey a, IpAddressKey b) => RowContext.CompareIp(a, b);
    }
}
