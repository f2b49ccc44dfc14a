using Monitor.Storage.Model;
using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Web.Tests.Support;

/// <summary>
/// Seeded traffic history written straight to a store: a daily rhythm in packets and bits, a protocol
/// mix, a talkers report (192.0.2.10 always on top) and a syn report with a W-flagged scanner.
/// </summary>
public static class History
{
    public const string Probe = "test-probe";
    public const string TopTalker = "192.0.2.10";
    public const string Scanner = "203.0.113.66";

    public static double PacketsPerSecond(DateTimeOffset time) =>
        1000 + 600 * Math.Sin(2 * Math.PI * time.TimeOfDay.TotalHours / 24);

    public static IntervalSnapshot Interval(DateTimeOffset start, TimeSpan length, string probe = Probe)
    {
        var pps = PacketsPerSecond(start);
        var seconds = length.TotalSeconds;
        var packets = (long)(pps * seconds);
        var bytes = packets * 600;
        var metrics = new Dictionary<string, double>
        {
            [MetricCatalog.Packets] = pps,
            [MetricCatalog.Bits] = bytes * 8 / seconds,
            [MetricCatalog.ProtocolPackets("tcp")] = pps * 0.7,
            [MetricCatalog.ProtocolPackets("udp")] = pps * 0.25,
            [MetricCatalog.ProtocolPackets("icmp")] = pps * 0.05,
            [MetricCatalog.NewFlows] = pps / 20,
            [MetricCatalog.UdpMaxWeight] = 1000 + start.Minute * 10,
            [MetricCatalog.IcmpErrors] = 1,
        };
        var talkerBytes = bytes / 2;
        var reports = new Dictionary<string, IReadOnlyList<ReportRow>>
        {
            ["talkers"] =
            [
                Talker(TopTalker, packets / 2, talkerBytes),
                Talker("198.51.100.20", packets / 4, talkerBytes / 2),
                Talker("2001:db8::5", packets / 8, talkerBytes / 4),
            ],
            ["syn"] =
            [
                new([
                    new("ip", Scanner), new("syn_sent", 500L), new("synack_sent", 0L), new("fin_sent", 0L), new("rst_sent", 0L),
                    new("rst_received", 400L), new("tcp_sent", 500L), new("tcp_received", 400L), new("icmp_errors_received", 0L),
                    new("distinct_ports", 400L), new("distinct_hosts", 1L), new("work_weight", 100.0), new("flag", "W"), new("worm", true),
                ]),
            ],
        };
        return new IntervalSnapshot
        {
            Probe = probe,
            Start = start,
            End = start + length,
            Packets = packets,
            Bytes = bytes,
            Protocols = new Dictionary<string, TrafficCount> { ["tcp"] = new((long)(packets * 0.7), (long)(bytes * 0.7)) },
            Metrics = metrics,
            Reports = reports,
        };
    }

    private static ReportRow Talker(string ip, long packets, long bytes) => new(
    [
        new("ip", ip), new("packets", packets), new("bytes", bytes),
        new("packets_sent", packets / 2), new("bytes_sent", bytes / 2),
        new("packets_received", packets - packets / 2), new("bytes_received", bytes - bytes / 2),
    ]);

    /// <summary>Writes one interval every <paramref name="step"/> from <paramref name="from"/> up to (not including) <paramref name="to"/>.</summary>
    public static async Task<int> WriteAsync(IMonitorStore store, DateTimeOffset from, DateTimeOffset to, TimeSpan step, string probe = Probe)
    {
        var intervals = new List<IntervalSnapshot>();
        for (var t = from; t < to; t += step) intervals.Add(Interval(t, step, probe));
        foreach (var batch in intervals.Chunk(500)) await store.WriteIntervalsAsync(batch);
        return intervals.Count;
    }

    /// <summary>1-second points of the basic counters, for live views.</summary>
    public static IReadOnlyList<SecondPoint> Seconds(DateTimeOffset from, int count, string probe = Probe) =>
        Enumerable.Range(0, count).Select(i =>
        {
            var t = from.AddSeconds(i);
            var pps = PacketsPerSecond(t) + i % 7;
            return new SecondPoint(probe, t, new Dictionary<string, double>
            {
                [MetricCatalog.Packets] = pps,
                [MetricCatalog.Bits] = pps * 4800,
                [MetricCatalog.ProtocolPackets("tcp")] = pps * 0.7,
                [MetricCatalog.ProtocolPackets("udp")] = pps * 0.3,
            });
        }).ToList();
}
