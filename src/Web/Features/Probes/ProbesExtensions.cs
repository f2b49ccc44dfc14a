namespace Monitor.Web.Features.Probes;

public static class ProbesExtensions
{
    /// <summary>The Prometheus registry /metrics serves the probes' counters from.</summary>
    public static IServiceCollection AddProbes(this IServiceCollection services)
    {
        services.AddSingleton<ProbeMetricsExporter>();
        return services;
    }
}
