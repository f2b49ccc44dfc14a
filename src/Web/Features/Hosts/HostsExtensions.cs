namespace Monitor.Web.Features.Hosts;

public static class HostsExtensions
{
    /// <summary>One address's traffic and report rows.</summary>
    public static IServiceCollection AddHosts(this IServiceCollection services)
    {
        services.AddSingleton<HostService>();
        return services;
    }
}
