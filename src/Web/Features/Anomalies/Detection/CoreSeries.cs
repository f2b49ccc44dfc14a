using Monitor.Storage.Model.Metrics;

namespace Monitor.Web.Features.Anomalies.Detection;

/// <summary>The series scored for spikes and the smallest spread that counts as noise in each.</summary>
public static class CoreSeries
{
    public static readonly IReadOnlyList<string> All =
    [
        MetricCatalog.Packets,
        MetricCatalog.Bits,
        .. MetricCatalog.Protocols.Select(MetricCatalog.ProtocolPackets),
        MetricCatalog.NewFlows,
        MetricCatalog.UdpMaxWeight,
        MetricCatalog.IcmpErrors,
        MetricCatalog.Syn,
        MetricCatalog.Scanners,
        MetricCatalog.WormTotal,
        MetricCatalog.WormHome,
        MetricCatalog.WormRemote,
    ];

    /// <summary>
    /// A series that is flat (often zero) has no spread; this floor keeps a tiny wobble from scoring
    /// as infinite while still letting a real rise (one new scanner, a burst of ICMP errors) show.
    /// </summary>
    public static double AbsoluteFloor(string series) => series switch
    {
        MetricCatalog.Bits => 8_000,
        MetricCatalog.UdpMaxWeight => 1_000,
        MetricCatalog.Scanners or MetricCatalog.WormTotal or MetricCatalog.WormHome or MetricCatalog.WormRemote => 0.1,
        _ => 0.5,
    };
}
