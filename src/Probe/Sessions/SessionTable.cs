using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Monitor.Probe.Decode;
using Monitor.Storage.Sessions;

namespace Monitor.Probe.Sessions;

/// <summary>
/// The open sessions of one partition, counted by one worker thread. Partitions split the traffic by
/// the symmetric address pair, so both directions of a conversation always land here. Entries live in
/// one preallocated array (no allocation per packet); buckets chain them by a hash that is the same
/// in both directions. Each entry sits in the list of its timeout class in the order it was last
/// listed; expiry walks the heads, and an entry touched since it was listed is listed again
/// (second chance) instead of being moved on every packet, which would cost two more cache misses
/// per packet. A packet that arrives after its session timed out starts a new one even when the
/// walk has not reached the old one yet, so timing never depends on when the walk runs.
/// When the table is full the oldest idle session is written early, as a complete record.
/// </summary>
internal sealed class SessionTable
{
    private const int None = -1;
    private const int Classes = 5;
    private const int TcpOpen = 0, TcpClosed = 1, Udp = 2, Icmp = 3, Other = 4;

    [Flags]
    private enum Seen : byte
    {
        None = 0, SynSrc = 1, SynAckDst = 2, FinSrc = 4, FinDst = 8, RstSrc = 16, RstDst = 32, Replied = 64,
    }

    private struct Entry
    {
        public IpAddressKey Src;
        public IpAddressKey Dst;
        public long Start;
        public long Last;
        public long ListedAt;
        public long PacketsSrc, BytesSrc, PacketsDst, BytesDst;
        public ulong Hash;
        public int Next;
        public int Before, After;
        public ushort SrcPort, DstPort, EchoId, Vlan;
        public byte Proto, FlagsSrc, FlagsDst, IcmpType, IcmpCode, Class;
        public Seen Seen;
        public bool Reported;
    }

    private readonly Entry[] _entries;
    private readonly int[] _buckets;
    private readonly int _mask;
    private readonly long[] _timeouts = new long[Classes];
    private readonly int[] _heads = new int[Classes];
    private readonly int[] _tails = new int[Classes];
    private readonly SessionCollector _output;
    private int _free;
    private int _unused;
    private SessionRecord[] _records;
    private int _recordCount;

    public SessionTable(int capacity, SessionOptions options, SessionCollector output)
    {
        _entries = new Entry[capacity];
        var buckets = (int)BitOperations.RoundUpToPowerOf2((uint)capacity * 2);
        _buckets = new int[buckets];
        Array.Fill(_buckets, None);
        _mask = buckets - 1;
        _timeouts[TcpOpen] = options.TcpIdle * TimeSpan.TicksPerSecond;
        _timeouts[TcpClosed] = options.TcpClosed * TimeSpan.TicksPerSecond;
        _timeouts[Udp] = options.UdpIdle * TimeSpan.TicksPerSecond;
        _timeouts[Icmp] = options.IcmpIdle * TimeSpan.TicksPerSecond;
        _timeouts[Other] = options.OtherIdle * TimeSpan.TicksPerSecond;
        Array.Fill(_heads, None);
        Array.Fill(_tails, None);
        _free = None;
        _output = output;
        _records = output.Rent();
    }

    public int Capacity => _entries.Length;
    public int Open { get; private set; }
    /// <summary>Sessions written early because the table was full (a flood of new conversations).</summary>
    public long EvictedEarly { get; private set; }

    /// <summary>The key parts that are not addresses; false for packets that are not IP (no session).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool KeyOf(in DecodedPacket packet, out byte cls, out ushort sport, out ushort dport, out ushort echo)
    {
        sport = dport = echo = 0;
        cls = Other;
        if (!packet.IsIp) return false;
        switch (packet.Transport)
        {
            case Transport.Tcp:
                sport = packet.SourcePort;
                dport = packet.DestinationPort;
                cls = TcpOpen;
                break;
            case Transport.Udp:
                sport = packet.SourcePort;
                dport = packet.DestinationPort;
                cls = Udp;
                break;
            case Transport.Icmp:
            case Transport.IcmpV6:
                (sport, dport, _) = CommunityId.PortEquivalents(packet.Transport == Transport.IcmpV6, packet.IcmpType, packet.IcmpCode);
                echo = packet.IcmpEchoId;
                cls = Icmp;
                break;
        }
        return true;
    }

    /// <summary>The conversation's hash, the same in both directions (0 for packets that are not IP).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong HashOf(in DecodedPacket packet)
    {
        if (!KeyOf(packet, out _, out var sport, out var dport, out var echo)) return 0;
        // Later IP fragments carry no ports (0, 0); they are a conversation of their own, as in Argus.
        return (packet.Source.Mix() ^ packet.Destination.Mix())
               + ((ulong)(sport ^ dport) << 32 | (ulong)packet.IpProtocol << 24 | (ulong)echo << 8) * 0x9E3779B97F4A7C15UL
               + packet.VlanId;
    }

    private int BucketOf(ulong hash) => (int)(hash ^ (hash >> 29)) & _mask;

    /// <summary>
    /// First of two prefetches a few packets before <see cref="Count(in DecodedPacket, ulong)"/> (the worker's
    /// lookahead counter): asks for the packet's bucket and returns its hash for <see cref="PrefetchEntry"/>
    /// and for counting (the hash is two address mixes: computed once). The table is
    /// far larger than the caches, and a lookup that waits first on its bucket and then on its entry
    /// was the probe's most expensive step (15 % of its CPU on the benchmark capture).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe ulong PrefetchBucket(in DecodedPacket packet)
    {
        var hash = HashOf(packet);
        if (Sse.IsSupported && hash != 0)
            Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_buckets), BucketOf(hash))));
        return hash;
    }

    /// <summary>Second prefetch, once the bucket has arrived: the first entry it chains.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void PrefetchEntry(ulong hash)
    {
        if (hash == 0) return;
        var i = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_buckets), BucketOf(hash));
        if (i == None) return;
        var start = (byte*)Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_entries), i));
        // An entry is 128 bytes but the array's data starts 16 bytes into a cache line, so most entries span
        // three lines: fetch each (the hash compared first is in the middle one).
        for (var offset = 0; offset < Unsafe.SizeOf<Entry>(); offset += 64) Sse.Prefetch0(start + offset);
        Sse.Prefetch0(start + Unsafe.SizeOf<Entry>() - 1);
    }

    public void Count(in DecodedPacket packet) => Count(packet, HashOf(packet));

    /// <summary>Counts the packet into its session; <paramref name="hash"/> is <see cref="HashOf"/> of it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Count(in DecodedPacket packet, ulong hash)
    {
        if (!KeyOf(packet, out var cls, out var sport, out var dport, out var echo)) return;
        var proto = packet.IpProtocol;
        var src = packet.Source;
        var dst = packet.Destination;
        var ticks = packet.Ticks;
        var bucket = BucketOf(hash);
        var entries = _entries;
        var forward = true;
        var i = _buckets[bucket];
        while (i != None)
        {
            ref var e = ref entries[i];
            if (e.Hash == hash && e.Proto == proto && e.Vlan == packet.VlanId && e.EchoId == echo)
            {
                if (e.SrcPort == sport && e.DstPort == dport && e.Src == src && e.Dst == dst) break;
                if (e.SrcPort == dport && e.DstPort == sport && e.Src == dst && e.Dst == src)
                {
                    forward = false;
                    break;
                }
            }
            i = e.Next;
        }
        var flags = (byte)packet.TcpFlags;
        if (i != None)
        {
            ref var e = ref entries[i];
            var stale = ticks - e.Last > _timeouts[e.Class];
            // A new SYN on a closed connection's ports is a new connection (port reuse).
            var reuse = cls == TcpOpen && e.Class == TcpClosed && (flags & 0x12) == 0x02;
            if (stale || reuse)
            {
                Finish(i, stale ? SessionEnd.Idle : SessionEnd.Closed);
                i = None;
            }
        }
        if (i == None)
        {
            // SYN-ACK first: the SYN was missed, and the initiator is whom it answers.
            forward = !(cls == TcpOpen && (flags & 0x12) == 0x12);
            i = Insert(bucket, hash, ticks, cls, forward ? src : dst, forward ? dst : src,
                forward ? sport : dport, forward ? dport : sport, proto, echo, packet.VlanId, packet.IcmpType, packet.IcmpCode);
        }
        ref var s = ref entries[i];
        s.Last = ticks;
        if (forward)
        {
            s.PacketsSrc++;
            s.BytesSrc += packet.WireLength;
            s.FlagsSrc |= flags;
        }
        else
        {
            s.PacketsDst++;
            s.BytesDst += packet.WireLength;
            s.FlagsDst |= flags;
            s.Seen |= Seen.Replied;
        }
        if (cls == TcpOpen) Track(ref s, i, forward, flags);
    }

    private void Track(ref Entry s, int i, bool forward, byte flags)
    {
        var seen = s.Seen;
        var syn = (flags & 0x02) != 0;
        var ack = (flags & 0x10) != 0;
        if (syn && !ack && forward) seen |= Seen.SynSrc;
        if (syn && ack && !forward) seen |= Seen.SynAckDst;
        if ((flags & 0x01) != 0) seen |= forward ? Seen.FinSrc : Seen.FinDst;
        if ((flags & 0x04) != 0) seen |= forward ? Seen.RstSrc : Seen.RstDst;
        s.Seen = seen;
        var closed = (seen & (Seen.RstSrc | Seen.RstDst)) != 0 || (seen & (Seen.FinSrc | Seen.FinDst)) == (Seen.FinSrc | Seen.FinDst);
        if (closed && s.Class != TcpClosed)
        {
            Unlist(i);
            s.Class = TcpClosed;
            List(i, s.Last);
        }
    }

    private int Insert(int bucket, ulong hash, long ticks, byte cls, IpAddressKey src, IpAddressKey dst,
        ushort sport, ushort dport, byte proto, ushort echo, ushort vlan, byte icmpType, byte icmpCode)
    {
        var i = _free;
        if (i != None)
        {
            _free = _entries[i].Next;
        }
        else if (_unused < _entries.Length)
        {
            i = _unused++;
        }
        else
        {
            EvictOldest();
            i = _free;
            _free = _entries[i].Next;
        }
        ref var e = ref _entries[i];
        e = default;
        e.Src = src;
        e.Dst = dst;
        e.SrcPort = sport;
        e.DstPort = dport;
        e.Proto = proto;
        e.EchoId = echo;
        e.Vlan = vlan;
        e.IcmpType = icmpType;
        e.IcmpCode = icmpCode;
        e.Hash = hash;
        e.Start = ticks;
        e.Last = ticks;
        e.Class = cls;
        e.Next = _buckets[bucket];
        _buckets[bucket] = i;
        List(i, ticks);
        Open++;
        return i;
    }

    /// <summary>Writes the session listed longest ago (re-listing those touched since) to make room.</summary>
    private void EvictOldest()
    {
        while (true)
        {
            var oldest = None;
            for (var c = 0; c < Classes; c++)
            {
                var h = _heads[c];
                if (h != None && (oldest == None || _entries[h].ListedAt < _entries[oldest].ListedAt)) oldest = h;
            }
            ref var e = ref _entries[oldest];
            if (e.Last > e.ListedAt)
            {
                // Touched since it was listed: give it its place again (at most once, then ListedAt == Last).
                Unlist(oldest);
                List(oldest, e.Last);
                continue;
            }
            EvictedEarly++;
            Finish(oldest, SessionEnd.Evicted);
            return;
        }
    }

    /// <summary>Ends the sessions idle past their timeout at <paramref name="now"/> (UTC ticks); called at each second's end.</summary>
    public void Expire(long now)
    {
        for (var c = 0; c < Classes; c++)
        {
            var timeout = _timeouts[c];
            // Bounded: every step removes an entry or re-lists one whose time is newer than the cut.
            for (var steps = 0; steps <= _entries.Length; steps++)
            {
                var h = _heads[c];
                if (h == None) break;
                ref var e = ref _entries[h];
                if (now - e.ListedAt <= timeout) break;
                if (now - e.Last > timeout)
                {
                    Finish(h, c == TcpClosed ? SessionEnd.Closed : SessionEnd.Idle);
                }
                else
                {
                    Unlist(h);
                    List(h, e.Last);
                }
            }
        }
    }

    /// <summary>
    /// Writes a status record for every session with packets since its last record (an interval
    /// closed), and starts its counts afresh; the session stays open.
    /// </summary>
    public void ReportOpen()
    {
        var entries = _entries;
        for (var i = 0; i < _unused; i++)
        {
            ref var e = ref entries[i];
            if (e.Class == byte.MaxValue || e.PacketsSrc + e.PacketsDst == 0) continue;
            Emit(ref e, SessionEnd.Open);
            e.PacketsSrc = e.BytesSrc = e.PacketsDst = e.BytesDst = 0;
            e.Reported = true;
        }
        Flush();
    }

    /// <summary>Ends every open session (the capture ended) and hands over what is buffered.</summary>
    public void Close()
    {
        for (var i = 0; i < _unused; i++)
            if (_entries[i].Class != byte.MaxValue) Finish(i, SessionEnd.Stopped);
        Flush();
    }

    /// <summary>Hands the buffered records to the writer.</summary>
    public void Flush()
    {
        if (_recordCount == 0) return;
        _output.Post(_records, _recordCount);
        _records = _output.Rent();
        _recordCount = 0;
    }

    private void Finish(int i, SessionEnd reason)
    {
        ref var e = ref _entries[i];
        // A session whose last record was a status record and that saw nothing since has been told in full.
        if (!e.Reported || e.PacketsSrc + e.PacketsDst > 0) Emit(ref e, reason);
        Unlist(i);
        var bucket = BucketOf(e.Hash);
        if (_buckets[bucket] == i)
        {
            _buckets[bucket] = e.Next;
        }
        else
        {
            var p = _buckets[bucket];
            while (_entries[p].Next != i) p = _entries[p].Next;
            _entries[p].Next = e.Next;
        }
        e.Class = byte.MaxValue;
        e.Next = _free;
        _free = i;
        Open--;
    }

    private void Emit(ref Entry e, SessionEnd reason)
    {
        if (_recordCount == _records.Length) Flush();
        _records[_recordCount++] = new SessionRecord(
            new DateTimeOffset(e.Start, TimeSpan.Zero), new DateTimeOffset(e.Last, TimeSpan.Zero), e.Proto,
            new UInt128(e.Src.High, e.Src.Low), e.SrcPort, new UInt128(e.Dst.High, e.Dst.Low), e.DstPort,
            e.PacketsSrc, e.BytesSrc, e.PacketsDst, e.BytesDst, e.FlagsSrc, e.FlagsDst, StateOf(in e),
            e.IcmpType, e.IcmpCode, e.Vlan, reason);
    }

    /// <summary>Zeek's conn_state from what each side sent; protocols without handshakes are S0 (no reply) or SF.</summary>
    private static SessionState StateOf(in Entry e)
    {
        var s = e.Seen;
        if (e.Class is not (TcpOpen or TcpClosed)) return (s & Seen.Replied) != 0 ? SessionState.SF : SessionState.S0;
        var syn = (s & Seen.SynSrc) != 0;
        var synAck = (s & Seen.SynAckDst) != 0;
        if (!syn && !synAck) return SessionState.OTH;
        if ((s & Seen.RstSrc) != 0) return synAck ? SessionState.RSTO : SessionState.RSTOS0;
        if ((s & Seen.RstDst) != 0) return !synAck ? SessionState.REJ : syn ? SessionState.RSTR : SessionState.RSTRH;
        var finSrc = (s & Seen.FinSrc) != 0;
        var finDst = (s & Seen.FinDst) != 0;
        if (syn && !synAck) return finSrc ? SessionState.SH : SessionState.S0;
        if (!syn) return finDst ? SessionState.SHR : SessionState.OTH;
        if (finSrc && finDst) return SessionState.SF;
        if (finSrc) return SessionState.S2;
        if (finDst) return SessionState.S3;
        return SessionState.S1;
    }

    private void List(int i, long at)
    {
        ref var e = ref _entries[i];
        e.ListedAt = at;
        var c = e.Class;
        e.Before = _tails[c];
        e.After = None;
        if (_tails[c] != None) _entries[_tails[c]].After = i;
        else _heads[c] = i;
        _tails[c] = i;
    }

    private void Unlist(int i)
    {
        ref var e = ref _entries[i];
        var c = e.Class;
        if (e.Before != None) _entries[e.Before].After = e.After;
        else _heads[c] = e.After;
        if (e.After != None) _entries[e.After].Before = e.Before;
        else _tails[c] = e.Before;
    }
}
