using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Monitor.Storage.Influx;
using Monitor.Storage.Model;
using Monitor.Storage.Sqlite;

namespace Monitor.Storage;

/// <summary>Opens a store from its spec: <c>sqlite:PATH</c> or <c>influx://[USER:PASSWORD@]HOST:PORT/DATABASE</c>.</summary>
public static class StoreFactory
{
    public const string DefaultSpec = "sqlite:data/monitor.db";

    public static IMonitorStore Open(string spec, ILoggerFactory? loggers = null) => Open(spec, new StorageOptions(), loggers);

    public static IMonitorStore Open(string spec, StorageOptions options, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        loggers ??= NullLoggerFactory.Instance;
        if (string.IsNullOrWhiteSpace(spec))
            throw new ArgumentException($"store spec is empty; use sqlite:PATH or influx://[USER:PASSWORD@]HOST:PORT/DATABASE (default {DefaultSpec})");
        spec = spec.Trim();
        if (spec.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            var path = spec["sqlite:".Length..];
            if (path.StartsWith("//", StringComparison.Ordinal)) path = path[2..];
            if (string.IsNullOrWhiteSpace(path))
                throw new ArgumentException($"store spec '{spec}' has no file path; use sqlite:PATH (e.g. {DefaultSpec}) or influx://[USER:PASSWORD@]HOST:PORT/DATABASE");
            return new SqliteStore(path, options, loggers.CreateLogger<SqliteStore>());
        }
        if (spec.StartsWith("influx://", StringComparison.OrdinalIgnoreCase))
            return new InfluxStore(InfluxSpec.Parse(spec), options, loggers.CreateLogger<InfluxStore>());
        throw new ArgumentException(
            $"store spec '{spec}' is not understood; use sqlite:PATH or influx://[USER:PASSWORD@]HOST:PORT/DATABASE");
    }
}
