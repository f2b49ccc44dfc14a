using Microsoft.Extensions.Options;
using Monitor.Web.Features.Anomalies.Detection;
using Monitor.Storage.Model;

namespace Monitor.Web.Features.Anomalies;

/// <summary>
/// Watches the store for newly stored intervals (from the in-process probe or from separate probes)
/// and feeds them to the incremental detector, which writes spike events as they open, grow and close.
/// </summary>
public sealed class SpikeWatcher(
    IMonitorStore store, IncrementalSpikeDetector detector, IOptions<AnomalyOptions> options, ILogger<SpikeWatcher> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled) return;
        using var timer = new PeriodicTimer(settings.PollEvery);
        do
        {
            try
            {
                foreach (var probe in await store.QueryProbesAsync(stoppingToken))
                    if (probe.LastIntervalEnd is { } end)
                        await detector.CatchUpAsync(probe.Probe, end, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Spike detection skipped a round: {Message}", e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
