using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitor.Storage.Model;
using Monitor.Storage.Spool;

namespace Monitor.Storage;

/// <summary>How a process registers its one store and its spool settings.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Binds <c>Storage</c> (validated at start, every problem named) and registers the process's one
    /// <see cref="IMonitorStore"/>, opened from <paramref name="spec"/> with those settings on first use:
    /// the pages read and the in-process probe writes this same instance. A second call adds nothing.
    /// </summary>
    public static IServiceCollection AddMonitorStore(this IServiceCollection services, IConfiguration configuration, string spec)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(d => d.ServiceType == typeof(IMonitorStore))) return services;
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>>(
            new ProblemsValidator<StorageOptions>(o => o.Problems()));
        services.AddSingleton(sp => StoreFactory.Open(spec, sp.GetRequiredService<IOptions<StorageOptions>>().Value,
            sp.GetRequiredService<ILoggerFactory>()));
        return services;
    }

    /// <summary>Binds <c>Spool</c> (validated at start, every problem named). A second call adds nothing.</summary>
    public static IServiceCollection AddMonitorSpool(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(d => d.ServiceType == typeof(IValidateOptions<SpoolOptions>))) return services;
        services.AddOptions<SpoolOptions>().Bind(configuration.GetSection(SpoolOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SpoolOptions>>(new ProblemsValidator<SpoolOptions>(o => o.Problems()));
        return services;
    }
}

/// <summary>Fails options with every problem their own check lists (each names its key), not just the first.</summary>
public sealed class ProblemsValidator<T>(Func<T, IReadOnlyList<string>> problems) : IValidateOptions<T> where T : class
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        var found = problems(options);
        return found.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(found);
    }
}
