// Measures ReportSet.Count per packet (every report on) over pre-decoded packets, so the figure is the
// reports' share of the per-packet budget, plus merge + build time at the interval's end.
// Usage: dotnet run -c Release --project bench/ReportsThroughput [packets] [--home-net]
using System.Diagnostics;
using Monitor.Probe.Decode;
using Monitor.Probe.Reports;

var count = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 5_000_000;
var homeNet = args.Contains("--home-net") ? new[] { "10.0.0.0/8" } : [];
var options = new ReportOptions { Top = 100, HomeNet = homeNet };

Run("mixed traffic (heavy-tailed hosts, scans, DNS, pings, IPv6)", Mixed(count, seed: 1));
Run("spoofed SYN flood (every packet a new source)", Flood(count, seed: 2));

void Run(string name, DecodedPacket[] packets)
{
    var set = new ReportSet(options);
    foreach (var p in packets.AsSpan(0, Math.Min(200_000, packets.Length))) set.Count(p);   // warm up the JIT
    var medians = new List<double>();
    for (var round = 0; round < 3; round++)
    {
        set.Clear();
        var gcBefore = GC.GetAllocatedBytesForCurrentThread();
        // CPU time of this process, not wall time: the machine is shared, and a worker's budget is CPU.
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        foreach (ref readonly var p in packets.AsSpan()) set.Count(p);
        watch.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - gcBefore;
        medians.Add(cpu.TotalNanoseconds / packets.Length);
        Console.WriteLine($"  {name}: round {round + 1}: {cpu.TotalNanoseconds / packets.Length:F1} CPU ns/packet " +
                          $"({watch.Elapsed.TotalNanoseconds / packets.Length:F1} wall), {allocated / 1024.0 / 1024:F1} MiB allocated");
    }
    medians.Sort();
    var other = new ReportSet(options);
    foreach (var p in packets.AsSpan(0, packets.Length / 2)) other.Count(p);
    var closeCpu = Process.GetCurrentProcess().TotalProcessorTime;
    var close = Stopwatch.StartNew();
    set.MergeFrom(other);
    var results = set.Build(TimeSpan.FromSeconds(30));
    close.Stop();
    closeCpu = Process.GetCurrentProcess().TotalProcessorTime - closeCpu;
    Console.WriteLine($"{name}: median {medians[1]:F1} CPU ns/packet ({1000 / medians[1]:F2} M packets/s per worker); " +
                      $"merge of a second worker's set + build {closeCpu.TotalMilliseconds:F0} ms CPU ({close.Elapsed.TotalMilliseconds:F0} wall); {results.Reports.Sum(r => r.Value.Count)} rows");
}

static DecodedPacket[] Mixed(int count, int seed)
{
    // A pool of conversations picked with a heavy tail (a few carry most packets), both directions,
    // plus a SYN scan, port unreachables, pings and some IPv6.
    var random = new Random(seed);
    const int conversations = 200_000;
    var pool = new DecodedPacket[conversations];
    for (var i = 0; i < conversations; i++)
    {
        ref var c = ref pool[i];
        var inside = 0x0A000000u + (uint)(5000 * Math.Pow(random.NextDouble(), 2));
        var outside = 0xC6336400u + (uint)(50000 * Math.Pow(random.NextDouble(), 2));
        c.Layer = NetworkLayer.IPv4;
        c.Source = IpAddressKey.FromV4(inside);
        c.Destination = IpAddressKey.FromV4(outside);
        c.SourcePort = (ushort)(32768 + random.Next(28000));
        var kind = random.Next(100);
        if (kind < 75)
        {
            c.Transport = Transport.Tcp; c.IpProtocol = 6;
            c.DestinationPort = (ushort)(random.Next(4) == 0 ? 80 : 443);
        }
        else if (kind < 95)
        {
            c.Transport = Transport.Udp; c.IpProtocol = 17; c.DestinationPort = 53;
        }
        else if (kind < 98)
        {
            c.Transport = Transport.Icmp; c.IpProtocol = 1; c.IcmpType = 8; c.PayloadLength = 56;
            c.SourcePort = 8; c.DestinationPort = 0;
        }
        else
        {
            c.Layer = NetworkLayer.IPv6;
            c.Transport = Transport.Udp; c.IpProtocol = 17; c.DestinationPort = 443;
            c.Source = new IpAddressKey(0x20010DB800000000UL, (ulong)random.Next(3000));
            c.Destination = new IpAddressKey(0x20010DB800000001UL, (ulong)random.Next(3000));
        }
    }
    var packets = new DecodedPacket[count];
    for (var i = 0; i < count; i++)
    {
        ref var p = ref packets[i];
        var special = random.Next(100);
        if (special < 3)
        {
            p = pool[0];
            p.Transport = Transport.Tcp; p.IpProtocol = 6;                      // a SYN scan
            p.Source = IpAddressKey.FromV4(0xCB007142u);
            p.Destination = IpAddressKey.FromV4(0xC6336400u + (uint)random.Next(256));
            p.SourcePort = 40000; p.DestinationPort = (ushort)random.Next(1, 65536); p.TcpFlags = TcpFlags.Syn;
            p.WireLength = 60;
        }
        else if (special < 5)
        {
            p = pool[0];
            p.Transport = Transport.Icmp; p.IpProtocol = 1;                     // port unreachables
            p.IcmpType = 3; p.IcmpCode = 3; p.SourcePort = 3; p.DestinationPort = 3;
            p.WireLength = 70;
        }
        else
        {
            p = pool[(int)(conversations * Math.Pow(random.NextDouble(), 4))];
            var reply = random.Next(2) == 0;
            p.WireLength = p.Transport == Transport.Tcp && reply ? 1514 : 60 + random.Next(100);
            p.TcpFlags = p.Transport == Transport.Tcp ? (random.Next(50) == 0 ? TcpFlags.Syn : TcpFlags.Ack) : TcpFlags.None;
            if (reply)
            {
                (p.Source, p.Destination, p.SourcePort, p.DestinationPort) = (p.Destination, p.Source, p.DestinationPort, p.SourcePort);
                if (p.Transport == Transport.Icmp) { p.IcmpType = 0; p.SourcePort = 0; }
                if (p.TcpFlags == TcpFlags.Syn) p.TcpFlags |= TcpFlags.Ack;
            }
        }
        p.Ticks = i * 60L;
    }
    return packets;
}

static DecodedPacket[] Flood(int count, int seed)
{
    var random = new Random(seed);
    var packets = new DecodedPacket[count];
    for (var i = 0; i < count; i++)
    {
        ref var p = ref packets[i];
        p.Ticks = i * 10L;
        p.Layer = NetworkLayer.IPv4;
        p.WireLength = 60;
        p.Transport = Transport.Tcp; p.IpProtocol = 6;
        p.Source = IpAddressKey.FromV4((uint)random.Next() | 0x01000000u);
        p.Destination = IpAddressKey.FromV4(0xCB00710Au);
        p.SourcePort = (ushort)random.Next(1024, 65536);
        p.DestinationPort = 25565;
        p.TcpFlags = TcpFlags.Syn;
    }
    return packets;
}
