using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitor.Probe.Reports;
using Monitor.Storage;
using Monitor.Storage.Model;
using Monitor.Storage.Spool;

namespace Monitor.Probe.Hosting;

public static class ProbeServiceCollectionExtensions
{
    /// <summary>
    /// Registers the probe as a hosted service: <see cref="AddProbeCore"/> and the service that runs it.
    /// <paramref name="configuration"/> is the process's whole configuration (sections Probe, Spool, Storage).
    /// </summary>
    public static IServiceCollection AddProbe(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddProbeCore(configuration);
        services.AddHostedService<ProbeHostedService>();
        return services;
    }

    /// <summary>
    /// The probe's settings (<c>Probe</c>, its report settings and <c>Spool</c>, each bound once and validated
    /// at start), the feed and the runner, without the hosted service (the command line runs the probe itself).
    /// Unless the process registered its store already, the store named by <c>Probe:Store</c> is registered
    /// with the <c>Storage</c> settings; the runner writes to the process's one store.
    /// </summary>
    public static IServiceCollection AddProbeCore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var probe = configuration.GetSection(ProbeOptions.Section);
        services.AddOptions<ProbeOptions>().Bind(probe).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ProbeOptions>, ProbeOptionsValidator>();
        services.AddOptions<ReportOptions>().Bind(probe).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ReportOptions>, ReportOptionsValidator>();
        services.AddMonitorSpool(configuration);
        var spec = probe[nameof(ProbeOptions.Store)];
        if (!string.Equals(spec?.Trim(), "none", StringComparison.OrdinalIgnoreCase))
            services.AddMonitorStore(configuration, string.IsNullOrWhiteSpace(spec) ? StoreFactory.DefaultSpec : spec);
        services.AddSingleton<ProbeLiveFeed>();
        services.AddSingleton(sp => new ProbeRunner(sp.GetRequiredService<ProbeLiveFeed>(), sp.GetRequiredService<IOptions<SpoolOptions>>(),
            sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<IMonitorStore>));
        return services;
    }
}
