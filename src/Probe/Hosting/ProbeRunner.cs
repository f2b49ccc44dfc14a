using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitor.Probe.Output;
using Monitor.Probe.Reports;
using Monitor.Probe.Sessions;
using Monitor.Storage.Model;
using Monitor.Storage.Sessions;
using Monitor.Storage.Spool;

namespace Monitor.Probe.Hosting;

/// <summary>
/// Puts a run together from validated options: opens the sinks (JSON lines, store), runs the engine
/// and closes the sinks so that everything written is flushed. Shared by the command line and the
/// hosted service, so the site runs exactly the probe the CLI runs.
/// </summary>
/// <remarks>
/// <paramref name="store"/> gives the process's one store (registered by its composition root, which also
/// closes it); it is asked for only when <see cref="ProbeOptions.Store"/> is not <c>none</c>.
/// </remarks>
public sealed class ProbeRunner(
    ProbeLiveFeed feed, IOptions<SpoolOptions> spoolOptions, ILoggerFactory loggers, Func<IMonitorStore>? store = null)
{
    /// <summary>Called with the engine before it runs (the CLI's progress display watches it).</summary>
    public async Task<ProbeRunResult> RunAsync(
        ProbeOptions options, ReportOptions reportOptions, CancellationToken cancellationToken,
        Action<ProbeEngine>? started = null)
    {
        var sinks = new List<ISnapshotSink>();
        var sessionSinks = new List<ISessionSink>();
        try
        {
            if (options.Json is not null) sinks.Add(new JsonLinesSink(options.Json));
            if (options.Sessions is not null) sessionSinks.Add(new SessionJsonLinesSink(options.Sessions));
            if (options.SessionTable.Enabled && SessionStores.Open(new SessionStoreOptions
                {
                    Store = options.EffectiveSessionStore, MaxAgeDays = options.SessionMaxAgeDays, MaxBytes = options.SessionMaxBytes,
                    MaxMemoryMiB = options.SessionMaxMemoryMiB,
                }) is { } sessionStore)
                sessionSinks.Add(new SessionStoreSink(sessionStore, options.Name, SpoolFor(options.Name), loggers.CreateLogger<SessionStoreSink>(), options.IsOffline));
            if (options.StoreEnabled)
            {
                var opened = store?.Invoke()
                    ?? throw new InvalidOperationException($"Probe:Store is '{options.Store}' but this process registered no store");
                sinks.Add(StoreSink.Open(opened, SpoolFor(options.Name), loggers, options.IsOffline));
            }
        }
        catch (Exception e)
        {
            await DisposeAll(sinks);
            foreach (var sink in sessionSinks) sink.Dispose();
            var exitCode = ProbeEngine.IsBadInput(e) || e is IOException ? 2 : 1;
            return new ProbeRunResult(exitCode, e.Message.ReplaceLineEndings(" "), 0, 0, TimeSpan.Zero, 0, TimeSpan.Zero, TimeSpan.Zero);
        }

        var engine = new ProbeEngine(options, reportOptions with { Top = options.Top }, sinks, feed, loggers, sessionSinks);
        started?.Invoke(engine);
        var result = await Task.Factory.StartNew(
            () => engine.Run(cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var flushError = await DisposeAll(sinks);
        if (flushError is not null && result.ExitCode == 0) result = result with { ExitCode = 1, Error = flushError };
        return result;
    }

    /// <summary>
    /// The spool folder allows one writer; unless configured, each probe name gets its own folder so
    /// several probe processes on one machine do not collide.
    /// </summary>
    private SpoolOptions SpoolFor(string probe)
    {
        var configured = spoolOptions.Value;
        if (configured.Directory != new SpoolOptions().Directory) return configured;
        var safe = string.Concat(probe.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
        return configured.WithDirectory(Path.Combine(configured.Directory, safe));
    }

    private async Task<string?> DisposeAll(List<ISnapshotSink> sinks)
    {
        string? error = null;
        foreach (var sink in sinks)
        {
            try
            {
                await sink.DisposeAsync();
            }
            catch (Exception e)
            {
                loggers.CreateLogger<ProbeRunner>().LogError(e, "Closing output {Sink} failed", sink.GetType().Name);
                error ??= $"closing {sink.GetType().Name} failed: {e.Message}";
            }
        }
        return error;
    }
}
