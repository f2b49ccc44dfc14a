using Monitor.Storage.Model.Metrics;
using Monitor.Web.Live;
using Prometheus;

namespace Monitor.Web.Features.Probes;

/// <summary>
/// Prometheus view of the live counters: the in-process probe's totals and the newest second's and
/// interval's values. Its own registry, so several hosts in one process (tests) never share series.
/// </summary>
public sealed class ProbeMetricsExporter
{
    public ProbeMetricsExporter(ILiveMonitor live)
    {
        Registry = Metrics.NewCustomRegistry();
        // Process figures a scraper (and bench/load.sh) reads: GC heap, working set, CPU seconds, GC counts.
        DotNetStats.Register(Registry);
        var factory = Metrics.WithCustomRegistry(Registry);
        var packets = factory.CreateCounter("monitor_probe_packets_total", "Packets the in-process probe has seen");
        var drops = factory.CreateCounter("monitor_probe_drops_total", "Packets dropped by capture (libpcap and interface)");
        var queueFull = factory.CreateCounter("monitor_probe_queue_full_total", "Packets a full worker queue turned away");
        var running = factory.CreateGauge("monitor_probe_running", "1 while the in-process probe captures");
        var perSecond = factory.CreateGauge("monitor_second_value", "Newest 1-second value of a series", "metric");
        var perInterval = factory.CreateGauge("monitor_interval_value", "Newest interval value of a series", "metric");
        var intervalEnd = factory.CreateGauge("monitor_interval_end_seconds", "Unix time the newest interval closed");

        Registry.AddBeforeCollectCallback(() =>
        {
            if (live.Status is { } status)
            {
                packets.IncTo(status.Packets);
                drops.IncTo(status.Drops);
                queueFull.IncTo(status.QueueFull);
                running.Set(string.Equals(status.State, "running", StringComparison.OrdinalIgnoreCase) ? 1 : 0);
            }
            var recent = live.RecentSeconds;
            if (recent.Count > 0)
                foreach (var (metric, value) in recent[^1].Metrics)
                    perSecond.WithLabels(metric).Set(value);
            if (live.LastInterval is { } last)
            {
                foreach (var (metric, value) in last.Metrics)
                    if (MetricCatalog.Find(metric) is not null)
                        perInterval.WithLabels(metric).Set(value);
                intervalEnd.Set(last.End.ToUnixTimeSeconds());
            }
        });
    }

    public CollectorRegistry Registry { get; }
}
