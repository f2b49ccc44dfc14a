using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Monitor.Probe.Reports;
using Monitor.Storage.Spool;

namespace Monitor.Probe.Hosting;

public static class ProbeServiceCollectionExtensions
{
    /// <summary>
    /// Registers the probe as a hosted service with its options (bound from <paramref name="probeSection"/>,
    /// validated at start) and the singleton <see cref="ProbeLiveFeed"/>.
    /// </summary>
    public static IServiceCollection AddProbe(this IServiceCollection services, IConfiguration probeSection)
    {
        services.AddProbeCore(probeSection);
        services.AddHostedService<ProbeHostedService>();
        return services;
    }

    /// <summary>Options, feed and runner without the hosted service (the command line runs the probe itself).</summary>
    public static IServiceCollection AddProbeCore(this IServiceCollection services, IConfiguration probeSection)
    {
        services.AddOptions<ProbeOptions>().Bind(probeSection).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ProbeOptions>, ProbeOptionsValidator>();
        services.AddOptions<ReportOptions>().Bind(probeSection).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ReportOptions>, ReportOptionsValidator>();
        services.AddOptions<SpoolOptions>();
        services.AddSingleton<ProbeLiveFeed>();
        services.AddSingleton<ProbeRunner>();
        return services;
    }
}
