using System.Diagnostics;
using System.Globalization;
using Monitor.Probe.Capture;
using Monitor.Probe.Decode;
using Monitor.Probe.Dispatch;
using Monitor.Probe.Reports;

// Where the probe's per-packet time goes, one stage added at a time, all on one thread over the same
// file: read only, + the dispatcher's pair hash, + decode, + every report table (with an interval's
// merge-and-build at each 30 s boundary, timed apart), + the payload inspection (IRC, application flags). Medians of --runs passes after one warm-up pass.
string? file = null;
var runs = 3;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--runs" when i + 1 < args.Length: runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "-h" or "--help":
            Console.WriteLine("usage: monitor-bench-stages [--runs N] FILE");
            return 0;
        default: file = args[i]; break;
    }
}
if (file is null || !File.Exists(file))
{
    Console.Error.WriteLine("usage: monitor-bench-stages [--runs N] FILE (an existing capture)");
    return 2;
}

var stages = new (string Name, Func<StageReceiver> Make)[]
{
    ("read", () => new StageReceiver(hash: false, decode: false, reports: false)),
    ("read + pair hash", () => new StageReceiver(hash: true, decode: false, reports: false)),
    ("read + decode", () => new StageReceiver(hash: true, decode: true, reports: false)),
    ("read + decode + reports", () => new StageReceiver(hash: true, decode: true, reports: true)),
    ("  ... with prefetch", () => new StageReceiver(hash: true, decode: true, reports: true, lookahead: true)),
    ("  ... + payload (IRC, P2P)", () => new StageReceiver(hash: true, decode: true, reports: true, lookahead: true, inspect: true)),
};

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"stage",-26} {"M pkts/s",9} {"ns/pkt",8} {"+ns/pkt",8} {"build ms/interval",18} {"alloc B/pkt",12} {"build MB/interval",18}"));
double previous = 0;
foreach (var (name, make) in stages)
{
    Run(make());
    var samples = new List<(double Ns, double BuildMs, double Alloc, double BuildMb)>();
    for (var r = 0; r < runs; r++)
    {
        var receiver = make();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        Run(receiver);
        clock.Stop();
        var alloc = (double)(GC.GetTotalAllocatedBytes(precise: true) - allocated - receiver.BuildAllocated) / receiver.Packets;
        var buildMs = receiver.Intervals == 0 ? 0 : receiver.BuildTime.TotalMilliseconds / receiver.Intervals;
        var buildMb = receiver.Intervals == 0 ? 0 : receiver.BuildAllocated / 1e6 / receiver.Intervals;
        samples.Add(((clock.Elapsed - receiver.BuildTime).TotalNanoseconds / receiver.Packets, buildMs, alloc, buildMb));
    }
    samples.Sort((a, b) => a.Ns.CompareTo(b.Ns));
    var median = samples[samples.Count / 2];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name,-26} {1000 / median.Ns,9:F2} {median.Ns,8:F0} {median.Ns - previous,8:F0} {median.BuildMs,18:F1} {median.Alloc,12:F2} {median.BuildMb,18:F1}"));
    previous = median.Ns;
}
return 0;

void Run(StageReceiver receiver)
{
    using var source = new PcapFileSource([file]);
    source.Run(receiver, CancellationToken.None);
    receiver.Finish();
}

sealed class StageReceiver(bool hash, bool decode, bool reports, bool lookahead = false, bool inspect = false) : IPacketReceiver
{
    private static readonly long IntervalTicks = TimeSpan.FromSeconds(30).Ticks;
    private readonly ReportSet? _reports = reports ? new ReportSet(new ReportOptions()) : null;
    private readonly LookaheadCounter? _lookahead = lookahead ? new LookaheadCounter() : null;
    private readonly Stopwatch _build = new();
    private DecodedPacket _packet;
    private long _interval = -1;
    private ulong _sink;

    public long Packets { get; private set; }
    public int Intervals { get; private set; }
    public TimeSpan BuildTime => _build.Elapsed;
    /// <summary>Bytes allocated while building and clearing at interval ends (not on the packet path).</summary>
    public long BuildAllocated { get; private set; }

    public void Receive(in RawPacket packet)
    {
        Packets++;
        _sink += (ulong)packet.WireLength;
        if (hash) _sink ^= PacketDecoder.PairHash(packet.LinkType, packet.Data);
        if (!decode) return;
        if (_reports is null)
        {
            PacketDecoder.Decode(packet, ref _packet);
            return;
        }
        var interval = packet.Ticks / IntervalTicks;
        if (interval != _interval)
        {
            if (_interval >= 0) Close();
            _interval = interval;
        }
        if (_lookahead is null)
        {
            PacketDecoder.Decode(packet, ref _packet);
            _reports.Count(_packet);
            return;
        }
        ref var decoded = ref _lookahead.Next;
        PacketDecoder.Decode(packet, ref decoded);
        // As the worker does: payload signatures and IRC only for packets with captured payload.
        if (inspect && decoded.PayloadCaptured > 0) _reports.Inspect(decoded, decoded.Payload(packet.Data));
        _lookahead.Commit(_reports);
    }

    public void Idle(DateTimeOffset now)
    {
    }

    public void Finish()
    {
        if (_reports is not null && _interval >= 0) Close();
        if (_sink == 42) Console.Write(""); // keeps the hash and length work observable
    }

    private void Close()
    {
        _lookahead?.Flush(_reports!);
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        _build.Start();
        _reports!.Build(TimeSpan.FromSeconds(30));
        _reports.Clear();
        _build.Stop();
        BuildAllocated += GC.GetTotalAllocatedBytes(precise: true) - allocated;
        Intervals++;
    }
}
