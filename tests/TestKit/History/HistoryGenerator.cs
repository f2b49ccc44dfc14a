using Monitor.Storage.Model;
using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.TestKit.History;

/// <summary>Something the generated history contains on purpose, with the host that causes it.</summary>
public sealed record PlannedEvent(string Name, DateTimeOffset Start, DateTimeOffset End, string Source, string Target)
{
    public bool Overlaps(DateTimeOffset from, DateTimeOffset to, TimeSpan slack) => from < End + slack && to > Start - slack;
}

/// <summary>What <see cref="HistoryGenerator"/> put into the history: the truth the tests check against.</summary>
public sealed record HistoryPlan(
    string Probe,
    DateOnly FirstDay,
    int Days,
    TimeSpan Interval,
    IReadOnlyList<PlannedEvent> Transfers,
    PlannedEvent Flood,
    PlannedEvent Scan)
{
    public DateTimeOffset From => new(FirstDay.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
    public DateTimeOffset To => From.AddDays(Days);
    public IEnumerable<PlannedEvent> All => [.. Transfers, Flood, Scan];
    public DateOnly DayOf(PlannedEvent e) => DateOnly.FromDateTime(e.Start.UtcDateTime);
}

/// <summary>
/// A seeded history of interval snapshots from one probe: diurnal traffic with noise, a backup
/// transfer at about 03:30 every night, one UDP flood (a clear top UDP sender) and one SYN port scan
/// (a port scanner). Same seed, same history. Snapshots carry the series the detector scores (per-protocol
/// packets but not per-protocol bits), which keeps two weeks quick to write through a real store.
/// </summary>
public sealed class HistoryGenerator
{
    public const string FloodSource = "203.0.113.66";
    public const string ScanSource = "198.51.100.23";
    public const string BackupSource = "10.0.0.20";

    private static readonly string[] Hosts = [.. Enumerable.Range(1, 12).Select(i => $"10.0.0.{i}")];
    private static readonly string[] Outside = ["192.0.2.10", "192.0.2.11", "192.0.2.12", "198.51.100.80", "203.0.113.5"];

    private readonly int _seed;

    public HistoryGenerator(int seed = 20261101, DateOnly? firstDay = null, int days = 14, string probe = "history",
        TimeSpan? interval = null)
    {
        _seed = seed;
        var first = firstDay ?? new DateOnly(2026, 11, 1);
        var step = interval ?? TimeSpan.FromSeconds(30);
        var random = new Random(seed);
        var origin = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

        var transfers = new List<PlannedEvent>();
        for (var d = 0; d < days; d++)
        {
            var start = Align(origin.AddDays(d).AddHours(3.5).AddSeconds(random.Next(-60, 120)), step);
            transfers.Add(new PlannedEvent("nightly transfer", start, start.AddMinutes(15 + random.Next(0, 6)), BackupSource, "10.0.9.9"));
        }
        var floodStart = Align(origin.AddDays(Math.Min(8, days - 1)).AddHours(14).AddMinutes(10), step);
        var scanStart = Align(origin.AddDays(Math.Min(10, days - 1)).AddHours(20).AddMinutes(40), step);
        Plan = new HistoryPlan(probe, first, days, step, transfers,
            new PlannedEvent("UDP flood", floodStart, floodStart.AddMinutes(15), FloodSource, "10.0.0.5"),
            new PlannedEvent("SYN scan", scanStart, scanStart.AddMinutes(8), ScanSource, "10.0.0.7"));
    }

    public HistoryPlan Plan { get; }

    public int Seed => _seed;

    private static DateTimeOffset Align(DateTimeOffset t, TimeSpan step) => new(t.Ticks - t.Ticks % step.Ticks, TimeSpan.Zero);

    /// <summary>Every interval of the history in time order.</summary>
    public IEnumerable<IntervalSnapshot> Generate()
    {
        var random = new Random(_seed ^ 0x5eed);
        for (var t = Plan.From; t < Plan.To; t += Plan.Interval)
            yield return Snapshot(t, random);
    }

    /// <summary>Writes the whole history through the store's bulk path, a day's worth of intervals at a time.</summary>
    public async Task<int> WriteAsync(IMonitorStore store, int batch = 500, CancellationToken cancellationToken = default)
    {
        var count = 0;
        foreach (var chunk in Generate().Chunk(batch))
        {
            await store.WriteIntervalsAsync(chunk, cancellationToken);
            count += chunk.Length;
        }
        return count;
    }

    private bool During(PlannedEvent e, DateTimeOffset t) => t >= e.Start && t < e.End;

    /// <summary>
    /// Report rows are written around the planned events only (the flood's and the scan's hour before, and each event itself),
    /// which is what drill-downs compare; elsewhere the history carries series alone, which keeps two
    /// weeks quick to write through a real store.
    /// </summary>
    private bool ReportsKeptAt(DateTimeOffset t) =>
        Plan.Transfers.Any(e => During(e, t)) ||
        new[] { Plan.Flood, Plan.Scan }.Any(e => t >= e.Start - TimeSpan.FromMinutes(65) && t < e.End + TimeSpan.FromMinutes(5));

    private IntervalSnapshot Snapshot(DateTimeOffset t, Random random)
    {
        var seconds = Plan.Interval.TotalSeconds;
        var hour = (t - t.Date).TotalHours;
        var diurnal = 1 + 0.6 * Math.Sin(2 * Math.PI * (hour - 8) / 24);
        double Noise(double relative) => Math.Max(0, 1 + relative * Gaussian(random));

        var tcp = 820 * diurnal * Noise(0.04);
        var udp = 160 * diurnal * Noise(0.04);
        var icmp = 18 * diurnal * Noise(0.06);
        var icmpv6 = 4 * diurnal * Noise(0.08);
        var other = 3 * diurnal * Noise(0.08);
        var tcpBytes = tcp * 780;
        var udpBytes = udp * 210;
        var newFlows = 45 * diurnal * Noise(0.05);
        var syn = 24 * diurnal * Noise(0.05);
        var icmpErrors = Poisson(random, 2 * diurnal * seconds) / seconds;
        var udpMaxWeight = 2500 * diurnal * Math.Exp(0.12 * Gaussian(random));
        var scanners = 0.0;

        var talkers = Hosts.Take(5).Select((h, i) => (Ip: h, Packets: tcp * seconds / (3 + i) * Noise(0.05))).ToList();
        var flows = new List<ReportRow>();
        var udpRows = new List<ReportRow>
        {
            UdpRow("10.0.0.3", udpMaxWeight, (long)(udp * seconds * 0.3), 11),
            UdpRow("10.0.0.8", udpMaxWeight * 0.4, (long)(udp * seconds * 0.2), 6),
        };
        var udpFlows = new List<ReportRow> { Flow("10.0.0.3", "192.0.2.53", "udp", 53001, 53, (long)(udp * seconds * 0.3), (long)(udp * seconds * 0.3 * 90)) };
        var synRows = new List<ReportRow> { SynRow("10.0.0.4", (long)(syn * seconds * 0.3), 4, 55), SynRow("10.0.0.6", (long)(syn * seconds * 0.2), 3, 48) };
        var portScanners = new List<ReportRow>();
        var ports = new List<(string Proto, long Port, double Packets, double Bytes)>
        {
            ("tcp", 443, tcp * seconds * 0.6, tcpBytes * seconds * 0.6),
            ("tcp", 80, tcp * seconds * 0.2, tcpBytes * seconds * 0.2),
            ("udp", 53, udp * seconds * 0.5, udpBytes * seconds * 0.3),
        };
        for (var i = 0; i < 4; i++)
        {
            var p = talkers[i].Packets * 0.8;
            flows.Add(Flow(Hosts[i], Outside[i], "tcp", (ushort)(50000 + i), i % 2 == 0 ? 443 : 80, (long)p, (long)(p * 780)));
        }

        if (Plan.Transfers.FirstOrDefault(e => During(e, t)) is { } transfer)
        {
            var pps = 1500 * Noise(0.03);
            tcp += pps;
            tcpBytes += pps * 1400;
            var packets = (long)(pps * seconds);
            talkers.Add((transfer.Source, packets));
            flows.Add(Flow(transfer.Source, transfer.Target, "tcp", 40122, 873, packets, packets * 1400));
            ports.Add(("tcp", 873, packets, packets * 1400.0));
        }
        if (During(Plan.Flood, t))
        {
            var pps = 25_000 * Noise(0.03);
            udp += pps;
            udpBytes += pps * 120;
            newFlows += 1_800 * Noise(0.05);
            udpMaxWeight = 4.5e8 * Noise(0.05);
            var packets = (long)(pps * seconds);
            talkers.Add((Plan.Flood.Source, packets));
            udpRows.Add(UdpRow(Plan.Flood.Source, udpMaxWeight, packets, 18_000));
            for (var i = 0; i < 3; i++)
            {
                var share = packets / (3 + i);
                var f = Flow(Plan.Flood.Source, Plan.Flood.Target, "udp", (ushort)(31337 + i), (ushort)(7 + i * 1000), share, share * 120);
                udpFlows.Add(f);
                flows.Add(f);
            }
            ports.Add(("udp", 7, packets / 3.0, packets * 40.0));
        }
        if (During(Plan.Scan, t))
        {
            var sps = 400 * Noise(0.03);
            tcp += sps * 2;
            tcpBytes += sps * 2 * 60;
            syn += sps;
            newFlows += sps;
            scanners = 1;
            var synSent = (long)(sps * seconds);
            talkers.Add((Plan.Scan.Source, synSent));
            synRows.Add(SynRow(Plan.Scan.Source, synSent, Math.Min(65535, synSent), 100));
            portScanners.Add(new ReportRow([
                new("ip", Plan.Scan.Source), new("distinct_ports", Math.Min(65535, synSent)),
                new("distinct_tcp_ports", Math.Min(65535, synSent)), new("distinct_udp_ports", 0L)]));
            flows.Add(Flow(Plan.Scan.Source, Plan.Scan.Target, "tcp", 61000, 22, 1, 60));
        }

        var packetsPerSecond = tcp + udp + icmp + icmpv6 + other;
        var bytesPerSecond = tcpBytes + udpBytes + icmp * 98 + icmpv6 * 110 + other * 90;
        var metrics = new Dictionary<string, double>
        {
            [MetricCatalog.Packets] = packetsPerSecond,
            [MetricCatalog.Bits] = bytesPerSecond * 8,
            [MetricCatalog.NewFlows] = newFlows,
            [MetricCatalog.UdpMaxWeight] = udpMaxWeight,
            [MetricCatalog.IcmpErrors] = icmpErrors,
            [MetricCatalog.Syn] = syn,
            [MetricCatalog.Scanners] = scanners,
            // The scan source sends SYNs only (work weight 100): it is the interval's one worm, from outside.
            [MetricCatalog.WormTotal] = scanners,
            [MetricCatalog.WormHome] = 0,
            [MetricCatalog.WormRemote] = scanners,
        };
        var perProtocol = new Dictionary<string, (double Pps, double Bps)>
        {
            ["tcp"] = (tcp, tcpBytes), ["udp"] = (udp, udpBytes), ["icmp"] = (icmp, icmp * 98),
            ["icmpv6"] = (icmpv6, icmpv6 * 110), ["other"] = (other, other * 90),
        };
        foreach (var (name, (pps, _)) in perProtocol)
            metrics[MetricCatalog.ProtocolPackets(name)] = pps;

        var reports = !ReportsKeptAt(t) ? new Dictionary<string, IReadOnlyList<ReportRow>>() : new Dictionary<string, IReadOnlyList<ReportRow>>
        {
            ["talkers"] = talkers.OrderByDescending(x => x.Packets).Take(6).Select(x => TalkerRow(x.Ip, (long)x.Packets)).ToList(),
            ["flows"] = flows.OrderByDescending(r => r.Number("packets")).Take(6).ToList(),
            ["udp_flows"] = udpFlows.OrderByDescending(r => r.Number("packets")).ToList(),
            ["udp"] = udpRows.OrderByDescending(r => r.Number("weight")).ToList(),
            ["syn"] = synRows.OrderByDescending(r => r.Number("syn_sent")).ToList(),
            ["port_scanners"] = portScanners,
            ["ports"] = ports.OrderByDescending(p => p.Packets)
                .Select(p => new ReportRow([new("proto", p.Proto), new("port", p.Port), new("packets", (long)p.Packets), new("bytes", (long)p.Bytes)]))
                .ToList(),
        };

        return new IntervalSnapshot
        {
            Probe = Plan.Probe,
            Start = t,
            End = t + Plan.Interval,
            Packets = (long)(packetsPerSecond * seconds),
            Bytes = (long)(bytesPerSecond * seconds),
            Metrics = metrics,
            Reports = reports,
        };
    }

    private static ReportRow TalkerRow(string ip, long packets) => new([
        new("ip", ip), new("packets", packets), new("bytes", packets * 700),
        new("packets_sent", packets * 6 / 10), new("bytes_sent", packets * 6 / 10 * 700),
        new("packets_received", packets * 4 / 10), new("bytes_received", packets * 4 / 10 * 700)]);

    private static ReportRow Flow(string src, string dst, string proto, long sport, long dport, long packets, long bytes) => new([
        new("src", src), new("dst", dst), new("proto", proto), new("sport", sport), new("dport", dport),
        new("packets", packets), new("bytes", bytes)]);

    private static ReportRow UdpRow(string ip, double weight, long sent, long distinctPorts) => new([
        new("ip", ip), new("weight", Math.Round(weight)), new("sent", sent), new("received", sent / 20),
        new("icmp_errors_received", 0L), new("distinct_ports", distinctPorts)]);

    private static ReportRow SynRow(string ip, long synSent, long distinctPorts, long workWeight) => new([
        new("ip", ip), new("syn_sent", synSent), new("synack_sent", 0L), new("fin_sent", synSent * (100 - workWeight) / 100),
        new("rst_sent", 0L), new("rst_received", synSent * workWeight / 100), new("tcp_sent", synSent * 2),
        new("tcp_received", synSent), new("icmp_errors_received", 0L), new("distinct_ports", distinctPorts),
        new("distinct_hosts", 1L), new("work_weight", workWeight)]);

    private static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static int Poisson(Random random, double mean)
    {
        if (mean > 30) return (int)Math.Max(0, Math.Round(mean + Math.Sqrt(mean) * Gaussian(random)));
        var limit = Math.Exp(-mean);
        var k = 0;
        var p = random.NextDouble();
        while (p > limit && k < 1000)
        {
            k++;
            p *= random.NextDouble();
        }
        return k;
    }
}
