using Microsoft.Extensions.Logging;
using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Probe.Hosting;

/// <summary>
/// One warning per closed interval in which the probe lost packets (libpcap's kernel buffer, the interface,
/// or a full worker queue), with the counts, and the same as a capture_loss event for the event log (its id is the
/// probe and interval, so a replay keeps one); silent while nothing is lost.
/// </summary>
public sealed class CaptureLossLog(string probe, ILogger logger)
{
    private long _dropped;

    /// <summary>Logs the interval's losses; the event to store for them, or null when nothing was lost.</summary>
    public MonitorEvent? Observe(IntervalSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var seconds = (snapshot.End - snapshot.Start).TotalSeconds;
        long Count(string metric) => snapshot.Metrics.TryGetValue(metric, out var rate) ? (long)Math.Round(rate * seconds) : 0;
        var kernel = Count(MetricCatalog.Drops);
        var nic = Count(MetricCatalog.InterfaceDrops);
        var queueFull = Count(MetricCatalog.QueueFull);
        if (kernel + nic + queueFull == 0) return null;
        _dropped += kernel + nic;
        logger.LogWarning(
            "Probe {Name} lost packets in the interval {Start:u}: {Kernel} dropped by the capture buffer, {Interface} by the interface, "
            + "{QueueFull} batch(es) turned away by full worker queues; {Total} dropped since start",
            probe, snapshot.Start, kernel, nic, queueFull, _dropped);
        static string Text(long n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new MonitorEvent
        {
            Id = $"{probe}/{EventKinds.CaptureLoss}/{Text(snapshot.Start.UtcTicks)}",
            Probe = probe,
            Time = snapshot.Start,
            End = snapshot.End,
            Kind = EventKinds.CaptureLoss,
            Severity = "warning",
            Message = $"lost {Text(kernel)} packets in the capture buffer, {Text(nic)} at the interface, {Text(queueFull)} batch(es) at full worker queues",
            Details = new Dictionary<string, string>
            {
                ["kernel"] = Text(kernel), ["interface"] = Text(nic), ["queue_full"] = Text(queueFull), ["since_start"] = Text(_dropped),
            },
        };
    }
}
