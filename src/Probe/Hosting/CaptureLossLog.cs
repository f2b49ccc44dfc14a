using Microsoft.Extensions.Logging;
using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Probe.Hosting;

/// <summary>
/// One warning per closed interval in which the probe lost packets (libpcap's kernel buffer, the interface,
/// or a full worker queue), with the counts; silent while nothing is lost.
/// </summary>
public sealed class CaptureLossLog(string probe, ILogger logger)
{
    private long _dropped;

    public void Observe(IntervalSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var seconds = (snapshot.End - snapshot.Start).TotalSeconds;
        long Count(string metric) => snapshot.Metrics.TryGetValue(metric, out var rate) ? (long)Math.Round(rate * seconds) : 0;
        var kernel = Count(MetricCatalog.Drops);
        var nic = Count(MetricCatalog.InterfaceDrops);
        var queueFull = Count(MetricCatalog.QueueFull);
        if (kernel + nic + queueFull == 0) return;
        _dropped += kernel + nic;
        logger.LogWarning(
            "Probe {Name} lost packets in the interval {Start:u}: {Kernel} dropped by the capture buffer, {Interface} by the interface, "
            + "{QueueFull} batch(es) turned away by full worker queues; {Total} dropped since start",
            probe, snapshot.Start, kernel, nic, queueFull, _dropped);
    }
}
