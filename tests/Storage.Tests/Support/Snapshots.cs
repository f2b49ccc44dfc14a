using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Reports;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Storage.Tests.Support;

/// <summary>Builds intervals with known counts and report rows for store tests.</summary>
public static class Snapshots
{
    public static readonly DateTimeOffset Base =
        DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 86400 * 86400 - 86400);

    public static IntervalSnapshot Interval(string probe, DateTimeOffset start, long packets, int seconds = 30,
        IReadOnlyDictionary<string, IReadOnlyList<ReportRow>>? reports = null, double udpWeight = 0)
    {
        return new IntervalSnapshot
        {
            Probe = probe,
            Start = start,
            End = start.AddSeconds(seconds),
            Packets = packets,
            Bytes = packets * 100,
            Protocols = new Dictionary<string, TrafficCount> { ["tcp"] = new(packets, packets * 100) },
            Metrics = new Dictionary<string, double>
            {
                [MetricCatalog.Packets] = packets / (double)seconds,
                [MetricCatalog.Bits] = packets * 800 / (double)seconds,
                [MetricCatalog.UdpMaxWeight] = udpWeight,
            },
            Reports = reports ?? new Dictionary<string, IReadOnlyList<ReportRow>>
            {
                [ReportCatalog.Talkers] = [Talker("10.0.0.1", packets, packets * 100), Talker("10.0.0.2", 1, 60)],
            },
        };
    }

    public static ReportRow Talker(string ip, long packets, long bytes) => new(
    [
        new("ip", ip), new("packets", packets), new("bytes", bytes),
        new("packets_sent", packets), new("bytes_sent", bytes), new("packets_received", 0L), new("bytes_received", 0L),
    ]);

    public static ReportRow Udp(string ip, long sent, long received, double weight) => new(
    [
        new("ip", ip), new("sent", sent), new("received", received), new("icmp_errors_received", 0L),
        new("distinct_ports", 3L), new("weight", weight),
    ]);

    public static SecondPoint Second(string probe, DateTimeOffset time, double packets) =>
        new(probe, time, new Dictionary<string, double> { [MetricCatalog.Packets] = packets, [MetricCatalog.Bits] = packets * 800 });
}
