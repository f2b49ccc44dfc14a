using System.Net;
using Monitor.Probe.Capture;

namespace Monitor.TestKit.Synthetic;

/// <summary>Shape of a generated capture. Defaults: the benchmark's 5-million-packet, 150-second file.</summary>
public sealed record SyntheticCaptureOptions
{
    public long Packets { get; init; } = 5_000_000;
    public ulong Seed { get; init; } = 1;
    public int SnapLength { get; init; } = 128;
    /// <summary>Time of the first packet; the default is 5 s into an interval so the first one is partial.</summary>
    public DateTimeOffset Start { get; init; } = new(2026, 1, 15, 12, 0, 5, TimeSpan.Zero);
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(150);
    /// <summary>IPv4 clients (192.0.2.0/24, then 198.18.0.0/16); 300 IPv4 servers come on top.</summary>
    public int Ipv4Clients { get; init; } = 4000;
    /// <summary>IPv6 clients in 2001:db8:c::/64; a tenth as many IPv6 servers in 2001:db8:5::/64.</summary>
    public int Ipv6Clients { get; init; } = 400;
    /// <summary>One SYN port scan, one ICMP address sweep and one UDP flood answered by port-unreachables.</summary>
    public bool Attacks { get; init; } = true;
    /// <summary>Conversations in progress at once; the generator picks among them with a skew, so rates are heavy-tailed too.</summary>
    public int ConcurrentFlows { get; init; } = 1024;
    /// <summary>Length of the intervals the truth is bucketed into.</summary>
    public int IntervalSeconds { get; init; } = 30;
    /// <summary>
    /// When set, the attacks happen in this stretch after <see cref="Start"/> instead of across the capture (scan
    /// in its 20-55 %, sweep 45-75 %, flood 60-90 %), at <see cref="AttackPacketsPerSecond"/> on top of the
    /// ordinary traffic: an incident that opens a long, quiet capture.
    /// </summary>
    public (TimeSpan From, TimeSpan To)? AttackWindow { get; init; }
    public double AttackPacketsPerSecond { get; init; } = 200;

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Packets, 1, nameof(Packets));
        ArgumentOutOfRangeException.ThrowIfLessThan(SnapLength, 64, nameof(SnapLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(Ipv4Clients, 10, nameof(Ipv4Clients));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Ipv4Clients, 250 + 250 * 256, nameof(Ipv4Clients));
        ArgumentOutOfRangeException.ThrowIfNegative(Ipv6Clients, nameof(Ipv6Clients));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Ipv6Clients, 65535, nameof(Ipv6Clients));
        ArgumentOutOfRangeException.ThrowIfLessThan(ConcurrentFlows, 1, nameof(ConcurrentFlows));
        ArgumentOutOfRangeException.ThrowIfLessThan(IntervalSeconds, 1, nameof(IntervalSeconds));
        if (Duration <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(Duration), "must be positive");
        if (AttackWindow is { } w && (w.From < TimeSpan.Zero || w.To <= w.From || w.To > Duration))
            throw new ArgumentOutOfRangeException(nameof(AttackWindow), "must lie inside the capture");
        if (AttackPacketsPerSecond <= 0) throw new ArgumentOutOfRangeException(nameof(AttackPacketsPerSecond), "must be positive");
    }
}

/// <summary>
/// Writes a realistic, seeded Ethernet capture (classic pcap) using only documentation address ranges
/// (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) and the benchmarking range
/// 198.18.0.0/15, and returns what it wrote. Clients (Zipf-popular) talk to servers (Zipf-popular) in
/// TCP connections with handshakes, Pareto-sized data and FIN or RST teardown, DNS lookups, pings,
/// QUIC-like UDP streams, NTP, ARP, mDNS and ESP; some conversations are VLAN-tagged (one in fifty QinQ)
/// and some are IPv6. With attacks on, 203.0.113.66 SYN-scans 192.0.2.251, 203.0.113.99 ping-sweeps
/// 198.19.0.0/16 and 203.0.113.200 floods 192.0.2.252 with UDP, which answers with port-unreachables.
/// The same options and seed write the same bytes.
/// </summary>
public sealed class SyntheticCaptureGenerator
{
    private const byte Fin = 0x01, Syn = 0x02, Rst = 0x04, Psh = 0x08, Ack = 0x10;
    private const int Ipv4Servers = 300;
    private static readonly byte[] MdnsMac = [0x01, 0x00, 0x5E, 0x00, 0x00, 0xFB];
    private static readonly byte[][] DnsNames = MakeDnsNames();

    private readonly SyntheticCaptureOptions _options;
    private readonly SyntheticRandom _random;
    private readonly SyntheticHosts _hosts = new();
    private readonly FrameBuilder _frame;
    private readonly Flow[] _flows;

    private int _serverBase, _clientBase, _clientCount, _v6ServerBase, _v6ServerCount, _v6ClientBase, _v6ClientCount;
    private int _mdnsGroup, _scanner, _scanTarget, _sweeper, _flooder, _floodVictim;
    private int[] _resolvers = [];
    private ZipfSampler _serverPopularity = null!, _clientPopularity = null!;
    private ZipfSampler? _v6ServerPopularity, _v6ClientPopularity;

    private PcapFileWriter _writer = null!;
    private long _ticks, _firstTicks;
    private Tally _tally;
    private Tally[] _intervals = [];
    private long _firstIntervalTicks;
    private AttackState _attack;

    public SyntheticCaptureGenerator(SyntheticCaptureOptions options)
    {
        options.Validate();
        _options = options;
        _random = new SyntheticRandom(options.Seed);
        _frame = new FrameBuilder(_hosts);
        _flows = new Flow[options.ConcurrentFlows];
    }

    public static SyntheticCaptureTruth Write(string path, SyntheticCaptureOptions options) =>
        new SyntheticCaptureGenerator(options).WriteTo(path);

    public SyntheticCaptureTruth WriteTo(string path)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 20);
        return WriteTo(stream);
    }

    /// <summary>Writes the whole capture to the stream (left open) and returns its truth.</summary>
    public SyntheticCaptureTruth WriteTo(Stream stream)
    {
        AddHosts();
        var intervalTicks = TimeSpan.TicksPerSecond * _options.IntervalSeconds;
        var startTicks = _options.Start.UtcTicks;
        _firstIntervalTicks = startTicks - startTicks % intervalTicks;
        _intervals = new Tally[(startTicks + _options.Duration.Ticks - _firstIntervalTicks) / intervalTicks + 1];
        for (var i = 0; i < _flows.Length; i++) StartFlow(ref _flows[i]);

        _writer = new PcapFileWriter(stream, LinkTypes.Ethernet, _options.SnapLength);
        var step = (double)_options.Duration.Ticks / _options.Packets;
        var window = _options.Attacks ? _options.AttackWindow : null;
        var attackStep = TimeSpan.TicksPerSecond / _options.AttackPacketsPerSecond;
        var attackFrom = window is { } w ? startTicks + w.From.Ticks : 0;
        var attackTo = window is { } w2 ? startTicks + w2.To.Ticks : 0;
        double nextAttack = attackFrom;
        for (long i = 0; i < _options.Packets; i++)
        {
            var ticks = startTicks + (long)((i + 0.9 * _random.NextDouble()) * step);
            // Attacks of a window come on top, in time order with the ordinary packets.
            for (; window is not null && nextAttack < attackTo && nextAttack <= ticks; nextAttack += attackStep)
            {
                _ticks = (long)nextAttack;
                EmitWindowAttack((nextAttack - attackFrom) / (attackTo - attackFrom));
            }
            _ticks = ticks;
            if (i == 0) _firstTicks = _ticks;
            if (window is not null || !_options.Attacks || !EmitAttack((double)i / _options.Packets)) EmitFromFlows();
        }
        _writer.Flush();
        return BuildTruth(intervalTicks);
    }

    private void AddHosts()
    {
        _serverBase = _hosts.Count;
        for (var i = 1; i <= 250; i++) _hosts.Add(Ipv4(198, 51, 100, i));
        for (var i = 1; i <= Ipv4Servers - 250; i++) _hosts.Add(Ipv4(203, 0, 113, i));
        _resolvers = [_serverBase + 52, _serverBase + 53];
        _clientBase = _hosts.Count;
        _clientCount = _options.Ipv4Clients;
        for (var i = 0; i < _clientCount; i++)
        {
            if (i < 250) _hosts.Add(Ipv4(192, 0, 2, i + 1));
            else _hosts.Add(Ipv4(198, 18, (i - 250) / 250, (i - 250) % 250 + 1));
        }
        _v6ClientCount = _options.Ipv6Clients;
        _v6ServerCount = _v6ClientCount == 0 ? 0 : Math.Max(10, _v6ClientCount / 10);
        _v6ServerBase = _hosts.Count;
        for (var i = 1; i <= _v6ServerCount; i++) _hosts.Add(Ipv6(0x5, i));
        _v6ClientBase = _hosts.Count;
        for (var i = 1; i <= _v6ClientCount; i++) _hosts.Add(Ipv6(0xC, i));
        _mdnsGroup = _hosts.Add(IPAddress.Parse("224.0.0.251"));
        _scanner = _hosts.Add(Ipv4(203, 0, 113, 66));
        _sweeper = _hosts.Add(Ipv4(203, 0, 113, 99));
        _flooder = _hosts.Add(Ipv4(203, 0, 113, 200));
        _scanTarget = _hosts.Add(Ipv4(192, 0, 2, 251));
        _floodVictim = _hosts.Add(Ipv4(192, 0, 2, 252));

        _serverPopularity = new ZipfSampler(Ipv4Servers, 1.1);
        _clientPopularity = new ZipfSampler(_clientCount, 0.8);
        if (_v6ClientCount > 0)
        {
            _v6ServerPopularity = new ZipfSampler(_v6ServerCount, 1.1);
            _v6ClientPopularity = new ZipfSampler(_v6ClientCount, 0.8);
        }
    }

    // ---- ordinary traffic -------------------------------------------------------------------------

    private enum FlowKind : byte { Tcp, Dns, Ping, UdpStream, Ntp, Arp, Mdns, Esp }

    private struct Flow
    {
        public FlowKind Kind;
        public int Client, Server;
        public ushort ClientPort, ServerPort, Identifier;
        public int Step, Remaining;
        public uint ClientSequence, ServerSequence;
        public VlanTags Vlan;
        public bool Refused, EndsWithReset, Unanswered;
    }

    // Relative chances of each kind of conversation starting; by packets TCP dominates, as on a real link.
    private static readonly (FlowKind Kind, int Weight)[] FlowMix =
    [
        (FlowKind.Tcp, 50), (FlowKind.Dns, 40), (FlowKind.Ping, 3), (FlowKind.UdpStream, 3),
        (FlowKind.Ntp, 2), (FlowKind.Arp, 3), (FlowKind.Mdns, 1), (FlowKind.Esp, 1),
    ];

    private static readonly int FlowMixTotal = FlowMix.Sum(m => m.Weight);

    private static readonly ushort[] TcpServices = [443, 443, 443, 443, 80, 80, 22, 25, 993, 8080, 3389, 445];

    private void StartFlow(ref Flow flow)
    {
        var pick = _random.Next(FlowMixTotal);
        var kind = FlowKind.Tcp;
        foreach (var (k, w) in FlowMix)
        {
            if (pick < w) { kind = k; break; }
            pick -= w;
        }
        var v6 = _v6ClientCount > 0 && kind is FlowKind.Tcp or FlowKind.Dns or FlowKind.Ping or FlowKind.UdpStream
            && _random.Chance(0.08);
        flow = new Flow
        {
            Kind = kind,
            Client = v6 ? _v6ClientBase + _v6ClientPopularity!.Next(_random) : _clientBase + _clientPopularity.Next(_random),
            Server = v6 ? _v6ServerBase + _v6ServerPopularity!.Next(_random) : _serverBase + _serverPopularity.Next(_random),
            ClientPort = (ushort)_random.Next(32768, 61000),
            ClientSequence = (uint)_random.NextUInt64(),
            ServerSequence = (uint)_random.NextUInt64(),
            Identifier = (ushort)_random.Next(65536),
            Vlan = _random.Next(100) switch
            {
                < 2 => new VlanTags(1000, 100),
                < 10 => new VlanTags((ushort)(_random.Chance(0.5) ? 100 : 200), 0),
                _ => VlanTags.None,
            },
        };
        switch (kind)
        {
            case FlowKind.Tcp:
                flow.ServerPort = TcpServices[_random.Next(TcpServices.Length)];
                flow.Refused = _random.Chance(0.02);
                flow.EndsWithReset = _random.Chance(0.05);
                flow.Remaining = _random.Pareto(4, 1.3, 200_000);
                break;
            case FlowKind.Dns:
                flow.Server = v6 ? _v6ServerBase : _resolvers[_random.Next(_resolvers.Length)];
                flow.ServerPort = 53;
                break;
            case FlowKind.Ping:
                flow.Remaining = _random.Next(1, 5);
                flow.Unanswered = _random.Chance(0.05);
                break;
            case FlowKind.UdpStream:
                flow.ServerPort = 443;
                flow.Remaining = _random.Pareto(4, 1.2, 100_000);
                break;
            case FlowKind.Ntp:
                flow.ServerPort = 123;
                flow.ClientPort = 123;
                break;
            case FlowKind.Arp:
                flow.Server = _clientBase + _random.Next(Math.Min(_clientCount, 250));
                flow.Vlan = VlanTags.None;
                break;
            case FlowKind.Mdns:
                flow.Server = _mdnsGroup;
                flow.ClientPort = 5353;
                flow.ServerPort = 5353;
                flow.Remaining = _random.Next(1, 4);
                break;
            case FlowKind.Esp:
                flow.Remaining = _random.Pareto(2, 1.5, 5000);
                break;
        }
    }

    private void EmitFromFlows()
    {
        var u = _random.NextDouble();
        ref var flow = ref _flows[(int)(u * u * _flows.Length)];
        if (EmitNext(ref flow)) StartFlow(ref flow);
    }

    /// <summary>Writes the conversation's next packet; true when it has ended.</summary>
    private bool EmitNext(ref Flow f) => f.Kind switch
    {
        FlowKind.Tcp => EmitTcp(ref f),
        FlowKind.Dns => EmitDns(ref f),
        FlowKind.Ping => EmitPing(ref f),
        FlowKind.UdpStream => EmitUdpStream(ref f),
        FlowKind.Ntp => EmitNtp(ref f),
        FlowKind.Arp => EmitArp(ref f),
        FlowKind.Mdns => EmitMdns(ref f),
        _ => EmitEsp(ref f),
    };

    private bool EmitTcp(ref Flow f)
    {
        var step = f.Step++;
        switch (step)
        {
            case 0:
                TcpPacket(ref f, fromClient: true, Syn, 0);
                f.ClientSequence++;
                return false;
            case 1 when f.Refused:
                TcpPacket(ref f, fromClient: false, Rst | Ack, 0);
                return true;
            case 1:
                TcpPacket(ref f, fromClient: false, Syn | Ack, 0);
                f.ServerSequence++;
                return false;
            case 2:
                TcpPacket(ref f, fromClient: true, Ack, 0);
                return false;
            case 3:
                TcpPacket(ref f, fromClient: true, Psh | Ack, _random.Next(80, 700));
                return false;
        }
        if (f.Remaining > 0)
        {
            var data = f.Remaining--;
            if ((step - 4) % 3 == 2) TcpPacket(ref f, fromClient: true, Ack, 0);
            else TcpPacket(ref f, fromClient: false, Ack, data == 1 ? _random.Next(1, 1448) : 1448);
            return false;
        }
        if (f.EndsWithReset)
        {
            TcpPacket(ref f, fromClient: true, Rst | Ack, 0);
            return true;
        }
        // Teardown: FIN from the client, FIN from the server, last ACK.
        switch (f.Remaining--)
        {
            case 0:
                TcpPacket(ref f, fromClient: true, Fin | Ack, 0);
                f.ClientSequence++;
                return false;
            case -1:
                TcpPacket(ref f, fromClient: false, Fin | Ack, 0);
                f.ServerSequence++;
                return false;
            default:
                TcpPacket(ref f, fromClient: true, Ack, 0);
                return true;
        }
    }

    private void TcpPacket(ref Flow f, bool fromClient, byte flags, int payload)
    {
        var (src, dst) = fromClient ? (f.Client, f.Server) : (f.Server, f.Client);
        var at = L3(src, dst, f.Vlan);
        var l4 = _frame.Ip(at, src, dst, 6, 20 + payload);
        var end = fromClient
            ? _frame.Tcp(l4, f.ClientPort, f.ServerPort, f.ClientSequence, (flags & Ack) != 0 ? f.ServerSequence : 0, flags)
            : _frame.Tcp(l4, f.ServerPort, f.ClientPort, f.ServerSequence, f.ClientSequence, flags);
        if (fromClient) f.ClientSequence += (uint)payload;
        else f.ServerSequence += (uint)payload;
        if (f.Step == 1 && fromClient && f.Kind == FlowKind.Tcp) _tallyConnections++;
        Emit(src, dst, at, end, 20 + payload, Proto.Tcp, flags, f.Vlan);
    }

    private long _tallyConnections, _dnsQueries, _echoRequests;

    private bool EmitDns(ref Flow f)
    {
        var query = f.Step++ == 0;
        var (src, dst) = query ? (f.Client, f.Server) : (f.Server, f.Client);
        var name = DnsNames[f.Identifier % DnsNames.Length];
        var answers = query ? 0 : 1 + f.Identifier % 3;
        var payload = 12 + name.Length + 4 + answers * (_hosts.IsV6(f.Client) ? 28 : 16);
        var at = L3(src, dst, f.Vlan);
        var l4 = _frame.Ip(at, src, dst, 17, 8 + payload);
        var dns = query ? _frame.Udp(l4, f.ClientPort, 53, payload) : _frame.Udp(l4, 53, f.ClientPort, payload);
        var header = _frame.Buffer.AsSpan(dns);
        header[0] = (byte)(f.Identifier >> 8);
        header[1] = (byte)f.Identifier;
        header[2] = (byte)(query ? 0x01 : 0x81);
        header[3] = (byte)(query ? 0x00 : 0x80);
        header[4] = 0; header[5] = 1;
        header[6] = 0; header[7] = (byte)answers;
        header[8] = 0; header[9] = 0; header[10] = 0; header[11] = 0;
        _frame.Write(dns + 12, name);
        var type = _hosts.IsV6(f.Client) ? (byte)28 : (byte)1;
        _frame.Write(dns + 12 + name.Length, [0, type, 0, 1]);
        if (query) _dnsQueries++;
        Emit(src, dst, at, dns + 12 + name.Length + 4, 8 + payload, Proto.Udp, 0, f.Vlan);
        return !query;
    }

    private bool EmitPing(ref Flow f)
    {
        var request = f.Unanswered || f.Step % 2 == 0;
        var sequence = (ushort)(f.Unanswered ? f.Step : f.Step / 2);
        f.Step++;
        var (src, dst) = request ? (f.Client, f.Server) : (f.Server, f.Client);
        var v6 = _hosts.IsV6(src);
        var at = L3(src, dst, f.Vlan);
        var l4 = _frame.Ip(at, src, dst, v6 ? (byte)58 : (byte)1, 8 + 56);
        var type = v6 ? (request ? (byte)128 : (byte)129) : (request ? (byte)8 : (byte)0);
        var end = _frame.Icmp(l4, type, 0, f.Identifier, sequence);
        if (request) _echoRequests++;
        Emit(src, dst, at, end, 8 + 56, v6 ? Proto.IcmpV6 : Proto.Icmp, 0, f.Vlan);
        var done = f.Unanswered ? f.Step >= f.Remaining : f.Step >= 2 * f.Remaining;
        return done;
    }

    private bool EmitUdpStream(ref Flow f)
    {
        var fromServer = f.Step++ > 0 && _random.Chance(0.8);
        var payload = fromServer ? _random.Next(1200, 1350) : _random.Next(40, 100);
        var (src, dst) = fromServer ? (f.Server, f.Client) : (f.Client, f.Server);
        var at = L3(src, dst, f.Vlan);
        var l4 = _frame.Ip(at, src, dst, 17, 8 + payload);
        var end = fromServer ? _frame.Udp(l4, f.ServerPort, f.ClientPort, payload) : _frame.Udp(l4, f.ClientPort, f.ServerPort, payload);
        Emit(src, dst, at, end, 8 + payload, Proto.Udp, 0, f.Vlan);
        return --f.Remaining <= 0;
    }

    private bool EmitNtp(ref Flow f)
    {
        var request = f.Step++ == 0;
        var (src, dst) = request ? (f.Client, f.Server) : (f.Server, f.Client);
        var at = L3(src, dst, f.Vlan);
        var l4 = _frame.Ip(at, src, dst, 17, 8 + 48);
        var end = _frame.Udp(l4, 123, 123, 48);
        _frame.Buffer[end] = (byte)(request ? 0x23 : 0x24);
        Emit(src, dst, at, end + 1, 8 + 48, Proto.Udp, 0, f.Vlan);
        return !request;
    }

    private bool EmitArp(ref Flow f)
    {
        var request = f.Step++ == 0;
        var at = request
            ? _frame.Ethernet(f.Client, FrameBuilder.BroadcastMac, VlanTags.None, 0x0806)
            : _frame.Ethernet(f.Server, f.Client, VlanTags.None, 0x0806);
        var end = request ? _frame.Arp(at, reply: false, f.Client, f.Server) : _frame.Arp(at, reply: true, f.Server, f.Client);
        Finish(at, end, 28, VlanTags.None);
        _tally.Add(Proto.NonIp, _wire);
        _tally.Arp++;
        if (request) _tally.Broadcast++;
        return !request;
    }

    private bool EmitMdns(ref Flow f)
    {
        f.Step++;
        var payload = _random.Next(40, 200);
        var at = _frame.Ethernet(f.Client, MdnsMac, f.Vlan, 0x0800);
        var l4 = _frame.Ip(at, f.Client, _mdnsGroup, 17, 8 + payload);
        var end = _frame.Udp(l4, 5353, 5353, payload);
        Emit(f.Client, _mdnsGroup, at, end, 8 + payload, Proto.Udp, 0, f.Vlan);
        _tally.Multicast++;
        return f.Step >= f.Remaining;
    }

    private bool EmitEsp(ref Flow f)
    {
        var fromClient = _random.Chance(0.5);
        var payload = _random.Next(100, 1400);
        var (src, dst) = fromClient ? (f.Client, f.Server) : (f.Server, f.Client);
        var at = L3(src, dst, f.Vlan);
        var l4 = _frame.Ip(at, src, dst, 50, payload);
        var spi = _frame.Buffer.AsSpan(l4);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(spi, (uint)(f.Identifier + (fromClient ? 0 : 0x10000)));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(spi[4..], (uint)f.Step++);
        Emit(src, dst, at, l4 + 8, payload, Proto.Other, 0, f.Vlan);
        return --f.Remaining <= 0;
    }

    private int L3(int src, int dst, VlanTags vlan) =>
        _frame.Ethernet(src, dst, vlan, _hosts.IsV6(src) ? (ushort)0x86DD : (ushort)0x0800);

    // ---- attacks ----------------------------------------------------------------------------------

    private struct AttackState
    {
        public long ScanSyns, ScanOpen, SweepReplies, FloodUdp, FloodUdpBytes, PortUnreachables;
        public int ScanStep, SweepTargets, SweepPending;
        public ushort ScanPort, ScanSourcePort, FloodSourcePort, FloodPort, FloodIpId;
        public bool ScanOpenPort, FloodPending;
    }

    // Fractions of the packet stream each attack takes while active, and when it is active.
    private const double ScanShare = 0.012, SweepShare = 0.004, FloodShare = 0.03;

    private bool EmitAttack(double progress)
    {
        var r = _random.NextDouble();
        if (progress is >= 0.20 and < 0.55)
        {
            if (r < ScanShare) { EmitScan(); return true; }
            r -= ScanShare;
        }
        if (progress is >= 0.45 and < 0.75)
        {
            if (r < SweepShare) { EmitSweep(); return true; }
            r -= SweepShare;
        }
        if (progress is >= 0.60 and < 0.90 && r < FloodShare)
        {
            EmitFlood();
            return true;
        }
        return false;
    }

    /// <summary>One attack packet at a point of the attack window, among the attacks active there.</summary>
    private void EmitWindowAttack(double progress)
    {
        var scan = progress is >= 0.20 and < 0.55;
        var sweep = progress is >= 0.45 and < 0.75;
        var flood = progress is >= 0.60 and < 0.90;
        var active = (scan ? 1 : 0) + (sweep ? 1 : 0) + (flood ? 1 : 0);
        if (active == 0) return;
        var pick = (int)(_random.NextDouble() * active);
        if (scan && pick-- == 0) EmitScan();
        else if (sweep && pick-- == 0) EmitSweep();
        else EmitFlood();
    }

    private static readonly ushort[] ScanTargetOpenPorts = [22, 80, 443];

    private void EmitScan()
    {
        ref var a = ref _attack;
        var vlan = VlanTags.None;
        switch (a.ScanStep)
        {
            case 0:
                // nmap-like: every port once, in a scrambled order, from one source port.
                a.ScanPort = (ushort)(a.ScanSyns * 7919 % 65535 + 1);
                a.ScanSourcePort = 40123;
                a.ScanOpenPort = Array.IndexOf(ScanTargetOpenPorts, a.ScanPort) >= 0;
                a.ScanSyns++;
                ScanPacket(_scanner, _scanTarget, a.ScanSourcePort, a.ScanPort, Syn, vlan);
                a.ScanStep = 1;
                break;
            case 1 when a.ScanOpenPort:
                ScanPacket(_scanTarget, _scanner, a.ScanPort, a.ScanSourcePort, Syn | Ack, vlan);
                a.ScanOpen++;
                a.ScanStep = 2;
                break;
            case 1:
                ScanPacket(_scanTarget, _scanner, a.ScanPort, a.ScanSourcePort, Rst | Ack, vlan);
                a.ScanStep = 0;
                break;
            default:
                ScanPacket(_scanner, _scanTarget, a.ScanSourcePort, a.ScanPort, Rst, vlan);
                a.ScanStep = 0;
                break;
        }
    }

    private void ScanPacket(int src, int dst, ushort sport, ushort dport, byte flags, VlanTags vlan)
    {
        var at = L3(src, dst, vlan);
        var l4 = _frame.Ip(at, src, dst, 6, 20);
        var end = _frame.Tcp(l4, sport, dport, 0x5ca40000u + dport, (flags & Ack) != 0 ? 0x5ca40001u + dport : 0, flags);
        Emit(src, dst, at, end, 20, Proto.Tcp, flags, vlan);
    }

    private int _sweepLastTarget;

    private void EmitSweep()
    {
        ref var a = ref _attack;
        if (a.SweepPending > 0)
        {
            a.SweepPending = 0;
            a.SweepReplies++;
            SweepPacket(_sweepLastTarget, _sweeper, 0, (ushort)a.SweepTargets);
            return;
        }
        if (a.SweepTargets < 254 * 256)
        {
            var p = (int)((long)a.SweepTargets * 7919 % (254 * 256));
            _sweepLastTarget = _hosts.Add(Ipv4(198, 19, p / 254, p % 254 + 1));
            a.SweepTargets++;
        }
        else _sweepLastTarget = _hosts.Count - 1 - _random.Next(254 * 256);
        _echoRequests++;
        SweepPacket(_sweeper, _sweepLastTarget, 8, (ushort)a.SweepTargets);
        if (_random.Chance(0.05)) a.SweepPending = 1;
    }

    private void SweepPacket(int src, int dst, byte type, ushort sequence)
    {
        var at = L3(src, dst, VlanTags.None);
        var l4 = _frame.Ip(at, src, dst, 1, 8 + 32);
        var end = _frame.Icmp(l4, type, 0, 0x5eed, sequence);
        Emit(src, dst, at, end, 8 + 32, Proto.Icmp, 0, VlanTags.None);
    }

    private void EmitFlood()
    {
        ref var a = ref _attack;
        if (a.FloodPending)
        {
            // Port unreachable quoting the flood datagram's IP header and first 8 bytes.
            a.FloodPending = false;
            a.PortUnreachables++;
            var at = L3(_floodVictim, _flooder, VlanTags.None);
            var l4 = _frame.Ip(at, _floodVictim, _flooder, 1, 8 + 28);
            var quote = _frame.Icmp(l4, 3, 3, 0, 0);
            var quotedUdp = _frame.Ip(quote, _flooder, _floodVictim, 17, 8 + 512);
            var end = _frame.Udp(quotedUdp, a.FloodSourcePort, a.FloodPort, 512);
            Emit(_floodVictim, _flooder, at, end, 8 + 28, Proto.Icmp, 0, VlanTags.None, icmpError: true);
            return;
        }
        a.FloodSourcePort = (ushort)_random.Next(1024, 65536);
        a.FloodPort = (ushort)_random.Next(1024, 65536);
        var udpAt = L3(_flooder, _floodVictim, VlanTags.None);
        var udp = _frame.Ip(udpAt, _flooder, _floodVictim, 17, 8 + 512);
        var udpEnd = _frame.Udp(udp, a.FloodSourcePort, a.FloodPort, 512);
        Emit(_flooder, _floodVictim, udpAt, udpEnd, 8 + 512, Proto.Udp, 0, VlanTags.None);
        a.FloodUdp++;
        a.FloodUdpBytes += _wire;
        // The victim rate-limits its ICMP errors: about one flood datagram in four is answered.
        a.FloodPending = _random.Chance(0.25);
    }

    // ---- writing and counting ---------------------------------------------------------------------

    private enum Proto : byte { Tcp, Udp, Icmp, IcmpV6, Other, NonIp }

    private int _wire;

    /// <summary>Pads to Ethernet's 60-byte minimum, fills the payload up to the snap length and writes the frame.</summary>
    private void Finish(int l3Start, int headersEnd, int l3Length, VlanTags vlan)
    {
        _wire = Math.Max(60, l3Start + l3Length);
        var captured = Math.Min(_wire, _options.SnapLength);
        _frame.Fill(headersEnd, captured);
        _writer.Write(new DateTimeOffset(_ticks, TimeSpan.Zero), _frame.Buffer.AsSpan(0, captured), _wire);
        _tally.Packets++;
        _tally.Bytes += _wire;
        _tally.Captured += captured;
        if (vlan.Outer != 0) _tally.Vlan++;
        if (vlan.Inner != 0) _tally.QinQ++;
        ref var interval = ref _intervals[(_ticks - _firstIntervalTicks) / (TimeSpan.TicksPerSecond * _options.IntervalSeconds)];
        interval.Packets++;
        interval.Bytes += _wire;
    }

    private void Emit(int src, int dst, int l3Start, int headersEnd, int transportLength, Proto proto, byte tcpFlags,
        VlanTags vlan, bool icmpError = false)
    {
        var v6 = _hosts.IsV6(src);
        var ipLength = (v6 ? 40 : 20) + transportLength;
        Finish(l3Start, headersEnd, ipLength, vlan);
        var wire = _wire;
        _tally.Add(proto, wire);
        if (v6) _tally.Ipv6++;
        else _tally.Ipv4++;
        ref var interval = ref _intervals[(_ticks - _firstIntervalTicks) / (TimeSpan.TicksPerSecond * _options.IntervalSeconds)];
        interval.Add(proto, wire);

        ref var s = ref _hosts.Counters[src];
        ref var d = ref _hosts.Counters[dst];
        s.PacketsSent++;
        s.BytesSent += wire;
        d.PacketsReceived++;
        d.BytesReceived += wire;
        switch (proto)
        {
            case Proto.Tcp:
                s.TcpSent++;
                d.TcpReceived++;
                if ((tcpFlags & (Syn | Ack)) == Syn) s.SynSent++;
                if ((tcpFlags & (Syn | Ack)) == (Syn | Ack)) s.SynAckSent++;
                if ((tcpFlags & Fin) != 0) s.FinSent++;
                if ((tcpFlags & Rst) != 0) { s.RstSent++; d.RstReceived++; }
                break;
            case Proto.Udp:
                s.UdpSent++;
                d.UdpReceived++;
                break;
        }
        if (icmpError)
        {
            d.IcmpErrorsReceived++;
            _tally.IcmpErrors++;
        }
    }

    private struct Tally
    {
        public long Packets, Bytes, Captured, Ipv4, Ipv6, Arp, Vlan, QinQ, Broadcast, Multicast, IcmpErrors;
        public long TcpPackets, TcpBytes, UdpPackets, UdpBytes, IcmpPackets, IcmpBytes, IcmpV6Packets, IcmpV6Bytes;
        public long OtherPackets, OtherBytes, NonIpPackets, NonIpBytes;

        public void Add(Proto proto, int wire)
        {
            switch (proto)
            {
                case Proto.Tcp: TcpPackets++; TcpBytes += wire; break;
                case Proto.Udp: UdpPackets++; UdpBytes += wire; break;
                case Proto.Icmp: IcmpPackets++; IcmpBytes += wire; break;
                case Proto.IcmpV6: IcmpV6Packets++; IcmpV6Bytes += wire; break;
                case Proto.Other: OtherPackets++; OtherBytes += wire; break;
                default: NonIpPackets++; NonIpBytes += wire; break;
            }
        }
    }

    private SyntheticCaptureTruth BuildTruth(long intervalTicks)
    {
        var hosts = new List<HostTruth>();
        for (var i = 0; i < _hosts.Count; i++)
        {
            ref var c = ref _hosts.Counters[i];
            if (c.PacketsSent + c.PacketsReceived == 0) continue;
            hosts.Add(new HostTruth(_hosts.ToIPAddress(i).ToString(), c.PacketsSent, c.BytesSent, c.PacketsReceived,
                c.BytesReceived, c.TcpSent, c.TcpReceived, c.SynSent, c.SynAckSent, c.FinSent, c.RstSent, c.RstReceived,
                c.UdpSent, c.UdpReceived, c.IcmpErrorsReceived));
        }
        hosts.Sort((x, y) => y.Bytes != x.Bytes ? y.Bytes.CompareTo(x.Bytes) : string.CompareOrdinal(x.Address, y.Address));

        var intervals = new List<IntervalTruth>();
        for (var i = 0; i < _intervals.Length; i++)
        {
            ref var t = ref _intervals[i];
            if (t.Packets == 0) continue;
            var start = new DateTimeOffset(_firstIntervalTicks + i * intervalTicks, TimeSpan.Zero);
            intervals.Add(new IntervalTruth(start, start.AddTicks(intervalTicks), t.Packets, t.Bytes, t.TcpPackets,
                t.UdpPackets, t.IcmpPackets, t.IcmpV6Packets));
        }

        var a = _attack;
        return new SyntheticCaptureTruth
        {
            Packets = _tally.Packets,
            Bytes = _tally.Bytes,
            CapturedBytes = _tally.Captured,
            First = new DateTimeOffset(_firstTicks, TimeSpan.Zero),
            Last = new DateTimeOffset(_ticks, TimeSpan.Zero),
            Ipv4Packets = _tally.Ipv4,
            Ipv6Packets = _tally.Ipv6,
            ArpPackets = _tally.Arp,
            VlanTaggedPackets = _tally.Vlan,
            QinQPackets = _tally.QinQ,
            BroadcastPackets = _tally.Broadcast,
            MulticastPackets = _tally.Multicast,
            Tcp = new ProtocolTruth(_tally.TcpPackets, _tally.TcpBytes),
            Udp = new ProtocolTruth(_tally.UdpPackets, _tally.UdpBytes),
            Icmp = new ProtocolTruth(_tally.IcmpPackets, _tally.IcmpBytes),
            IcmpV6 = new ProtocolTruth(_tally.IcmpV6Packets, _tally.IcmpV6Bytes),
            OtherIp = new ProtocolTruth(_tally.OtherPackets, _tally.OtherBytes),
            NonIp = new ProtocolTruth(_tally.NonIpPackets, _tally.NonIpBytes),
            TcpConnections = _tallyConnections,
            DnsQueries = _dnsQueries,
            EchoRequests = _echoRequests,
            IcmpErrors = _tally.IcmpErrors,
            Attacks = _options.Attacks
                ? new AttackTruth(Name(_scanner), Name(_scanTarget), a.ScanSyns, (int)Math.Min(a.ScanSyns, 65535), a.ScanOpen,
                    Name(_sweeper), a.SweepTargets, a.SweepReplies,
                    Name(_flooder), Name(_floodVictim), a.FloodUdp, a.FloodUdpBytes, a.PortUnreachables)
                : null,
            Hosts = hosts,
            Intervals = intervals,
        };
    }

    private string Name(int host) => _hosts.ToIPAddress(host).ToString();

    private static IPAddress Ipv4(int a, int b, int c, int d) => new([(byte)a, (byte)b, (byte)c, (byte)d]);

    private static IPAddress Ipv6(int subnet, int host)
    {
        var bytes = new byte[16];
        bytes[0] = 0x20; bytes[1] = 0x01; bytes[2] = 0x0d; bytes[3] = 0xb8;
        bytes[6] = (byte)(subnet >> 8); bytes[7] = (byte)subnet;
        bytes[14] = (byte)(host >> 8); bytes[15] = (byte)host;
        return new IPAddress(bytes);
    }

    private static byte[][] MakeDnsNames()
    {
        string[] names = ["www.example.com", "mail.example.org", "cdn.example.net", "api.example.com", "time.example.org",
            "updates.example.net", "static.example.com", "login.example.org"];
        return names.Select(n =>
        {
            var wire = new List<byte>();
            foreach (var label in n.Split('.'))
            {
                wire.Add((byte)label.Length);
                wire.AddRange(System.Text.Encoding.ASCII.GetBytes(label));
            }
            wire.Add(0);
            return wire.ToArray();
        }).ToArray();
    }
}
