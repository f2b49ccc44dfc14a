using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitor.Probe.Reports;

namespace Monitor.Probe.Hosting;

/// <summary>Runs the probe inside a host (the web site); a failed probe is logged and shown in the feed, never crashes the host.</summary>
public sealed class ProbeHostedService(
    IOptions<ProbeOptions> options,
    IOptions<ReportOptions> reportOptions,
    ProbeRunner runner,
    ILogger<ProbeHostedService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var result = await runner.RunAsync(options.Value, reportOptions.Value, stoppingToken);
        if (result.Error is not null)
            logger.LogError("Probe stopped with exit code {ExitCode}: {Error}", result.ExitCode, result.Error);
        else
            logger.LogInformation("Probe stopped after {Packets} packets", result.Packets);
    }
}
