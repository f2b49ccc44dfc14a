using System.Runtime.CompilerServices;
using Monitor.Probe.Decode;
using Monitor.Probe.Reports.Tables;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Probe.Reports;

/// <summary>
/// ICMP errors per (emitter, target, type, code), the interval's error total, and Sancp-style echo
/// conversations for ICMP tunnel hunting: per (requester a, responder b), packets, bytes and ICMP
/// payload sizes each way.
/// </summary>
internal sealed class IcmpReport(int capacity, IReadOnlyCollection<int> standardPingSizes)
{
    internal struct ErrorCounts : ITableValue<ErrorCounts>
    {
        public long Packets, Bytes;

        public readonly long Rank => Packets;

        public void Add(in ErrorCounts o)
        {
            Packets += o.Packets;
            Bytes += o.Bytes;
        }
    }

    internal struct EchoDirection
    {
        public long Packets, Bytes, Payload, FirstTicks, LastTicks;
        public int MinPayload, MaxPayload;

        public void Count(int wireLength, int payload, long ticks)
        {
            if (Packets == 0 || payload < MinPayload) MinPayload = payload;
            if (payload > MaxPayload) MaxPayload = payload;
            if (Packets == 0 || ticks < FirstTicks) FirstTicks = ticks;
            if (ticks > LastTicks) LastTicks = ticks;
            Packets++;
            Bytes += wireLength;
            Payload += payload;
        }

        public void Add(in EchoDirection o)
        {
            if (o.Packets == 0) return;
            if (Packets == 0 || o.MinPayload < MinPayload) MinPayload = o.MinPayload;
            if (Packets == 0 || o.FirstTicks < FirstTicks) FirstTicks = o.FirstTicks;
            if (o.LastTicks > LastTicks) LastTicks = o.LastTicks;
            if (o.MaxPayload > MaxPayload) MaxPayload = o.MaxPayload;
            Packets += o.Packets;
            Bytes += o.Bytes;
            Payload += o.Payload;
        }

        public readonly double AveragePayload => Packets == 0 ? 0 : (double)Payload / Packets;

        /// <summary>Mean time between packets, or null with fewer than three packets.</summary>
        public readonly TimeSpan? MeanGap => Packets < 3 ? null : TimeSpan.FromTicks((LastTicks - FirstTicks) / (Packets - 1));
    }

    internal struct EchoConversation : ITableValue<EchoConversation>
    {
        public EchoDirection AtoB, BtoA;

        public readonly long Rank => AtoB.Bytes + BtoA.Bytes;

        public readonly long FirstTicks => BtoA.Packets == 0 || (AtoB.Packets > 0 && AtoB.FirstTicks < BtoA.FirstTicks) ? AtoB.FirstTicks : BtoA.FirstTicks;
        public readonly long LastTicks => Math.Max(AtoB.LastTicks, BtoA.LastTicks);

        public void Add(in EchoConversation o)
        {
            AtoB.Add(o.AtoB);
            BtoA.Add(o.BtoA);
        }
    }

    private readonly BoundedTable<IcmpErrorKey, ErrorCounts> _errors = new(capacity);
    private readonly BoundedTable<PairKey, EchoConversation> _echoes = new(capacity);
    private static readonly TimeSpan MinimumPingInterval = TimeSpan.FromMilliseconds(200);
    private readonly HashSet<int> _standardSizes = [.. standardPingSizes];

    /// <summary>ICMP and ICMPv6 error messages this interval (the icmp.errors series), exact.</summary>
    public long ErrorPackets { get; private set; }

    public BoundedTable<IcmpErrorKey, ErrorCounts> Errors => _errors;
    public BoundedTable<PairKey, EchoConversation> Echoes => _echoes;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Count(in DecodedPacket p)
    {
        if (p.IsIcmpError)
        {
            ErrorPackets++;
            ref var e = ref _errors.GetOrAdd(new IcmpErrorKey(p.Source, p.Destination, p.IcmpType, p.IcmpCode), out _);
            e.Packets++;
            e.Bytes += p.WireLength;
            return;
        }
        var v6 = p.Transport == Transport.IcmpV6;
        var type = p.IcmpType;
        if (type == (v6 ? 128 : 8))
            _echoes.GetOrAdd(new PairKey(p.Source, p.Destination), out _).AtoB.Count(p.WireLength, p.PayloadLength, p.Ticks);
        else if (type == (v6 ? 129 : 0))
            _echoes.GetOrAdd(new PairKey(p.Destination, p.Source), out _).BtoA.Count(p.WireLength, p.PayloadLength, p.Ticks);
    }

    public void MergeFrom(IcmpReport other)
    {
        _errors.MergeFrom(other._errors);
        _echoes.MergeFrom(other._echoes);
        ErrorPackets += other.ErrorPackets;
    }

    public void Clear()
    {
        _errors.Clear();
        _echoes.Clear();
        ErrorPackets = 0;
    }

    public IReadOnlyList<ReportRow> ErrorRows(RowContext context)
    {
        var items = _errors.Entries();
        return context.TopRows(items,
            static (a, b) =>
            {
                var c = b.Value.Packets.CompareTo(a.Value.Packets);
                return c != 0 ? c : a.Key.CompareTo(b.Key);
            },
            e =>
            {
                var v6 = !e.Key.Emitter.IsV4;
                var fields = new List<ReportField>
                {
                    new("ip", e.Key.Emitter.ToString()),
                    new("target", e.Key.Target.ToString()),
                    new("proto", v6 ? "icmpv6" : "icmp"),
                    new("type", (long)e.Key.Type),
                    new("code", (long)e.Key.Code),
                    new("kind", IcmpErrorNames.Describe(v6, e.Key.Type, e.Key.Code)),
                    new("packets", e.Value.Packets),
                    new("bytes", e.Value.Bytes),
                };
                context.Inside(fields, "ip_inside", e.Key.Emitter);
                context.Inside(fields, "target_inside", e.Key.Target);
                return fields;
            });
    }

    public IReadOnlyList<ReportRow> TunnelRows(RowContext context)
    {
        var items = _echoes.Entries().Select(e => (e.Key, e.Value, Reason: Suspicion(e.Value)));
        return context.TopRows(items,
            static (a, b) =>
            {
                // Suspects first, then by bytes.
                var c = (b.Reason is not null).CompareTo(a.Reason is not null);
                if (c != 0) return c;
                c = b.Value.Rank.CompareTo(a.Value.Rank);
                return c != 0 ? c : a.Key.CompareTo(b.Key);
            },
            e =>
            {
                var c = e.Value;
                var reason = e.Reason;
                var fields = new List<ReportField>
                {
                    new("a", e.Key.A.ToString()),
                    new("b", e.Key.B.ToString()),
                    new("packets_ab", c.AtoB.Packets),
                    new("bytes_ab", c.AtoB.Bytes),
                    new("packets_ba", c.BtoA.Packets),
                    new("bytes_ba", c.BtoA.Bytes),
                    new("avg_size_ab", Math.Round(c.AtoB.AveragePayload, 2)),
                    new("avg_size_ba", Math.Round(c.BtoA.AveragePayload, 2)),
                    new("suspect", reason is not null),
                    new("reason", reason ?? ""),
                    new("first_seen", RowContext.Time(c.FirstTicks)),
                    new("last_seen", RowContext.Time(c.LastTicks)),
                };
                context.Inside(fields, "a_inside", e.Key.A);
                context.Inside(fields, "b_inside", e.Key.B);
                return fields;
            });
    }

    /// <summary>
    /// Why an echo conversation looks like a tunnel, or null when it looks like ping: ping tools send
    /// one fixed payload size from a short standard list, no faster than every 0.2 s (the least
    /// interval ping allows an unprivileged user), and the responder echoes the payload back unchanged;
    /// tunnels carry data of varying size, different data each way, or send as fast as they can.
    /// </summary>
    public string? Suspicion(in EchoConversation c)
    {
        if (c.AtoB.Packets > 0 && c.AtoB.MinPayload != c.AtoB.MaxPayload) return "request sizes vary";
        if (c.BtoA.Packets > 0 && c.BtoA.MinPayload != c.BtoA.MaxPayload) return "reply sizes vary";
        if (c.AtoB.Packets > 0 && c.BtoA.Packets > 0 && c.AtoB.MinPayload != c.BtoA.MinPayload)
            return "request and reply sizes differ";
        if (c.AtoB.Packets > 0 && !_standardSizes.Contains(c.AtoB.MinPayload))
            return $"non-standard request size {c.AtoB.MinPayload}";
        if (c.BtoA.Packets > 0 && !_standardSizes.Contains(c.BtoA.MinPayload))
            return $"non-standard reply size {c.BtoA.MinPayload}";
        if (c.AtoB.MeanGap is { } gap && gap < MinimumPingInterval)
            return $"requests every {gap.TotalMilliseconds:F1} ms";
        return null;
    }
}

internal static class IcmpErrorNames
{
    public static string Describe(bool v6, byte type, byte code) => v6
        ? (type, code) switch
        {
            (1, 0) => "no route to destination",
            (1, 1) => "administratively prohibited",
            (1, 3) => "address unreachable",
            (1, 4) => "port unreachable",
            (1, _) => "destination unreachable",
            (2, _) => "packet too big",
            (3, 0) => "hop limit exceeded",
            (3, _) => "fragment reassembly time exceeded",
            (4, _) => "parameter problem",
            _ => "error",
        }
        : (type, code) switch
        {
            (3, 0) => "network unreachable",
            (3, 1) => "host unreachable",
            (3, 2) => "protocol unreachable",
            (3, 3) => "port unreachable",
            (3, 4) => "fragmentation needed",
            (3, 9 or 10 or 13) => "administratively prohibited",
            (3, _) => "destination unreachable",
            (4, _) => "source quench",
            (5, _) => "redirect",
            (11, 0) => "TTL exceeded",
            (11, _) => "fragment reassembly time exceeded",
            (12, _) => "parameter problem",
            _ => "error",
        };
}
