namespace Monitor.Web.Features.Series;

public static class SeriesExtensions
{
    /// <summary>The graphs' series (consolidated, folded to at most 2000 points) and the BPF graphs' names.</summary>
    public static IServiceCollection AddSeries(this IServiceCollection services)
    {
        services.AddSingleton<SeriesService>();
        services.AddSingleton<BpfGraphCatalog>();
        return services;
    }
}
