using Microsoft.Extensions.Logging;
using Monitor.Storage.Model;
using Monitor.Storage.Model.Snapshots;
using Monitor.Storage.Spool;

namespace Monitor.Probe.Output;

/// <summary>
/// Hands every second point, interval and event to a Storage writer. Live it is the spooled writer, which
/// persists to its on-disk spool first and delivers in the background: the pipeline never waits on the
/// store. Reading captures it is the replay writer, which writes in bulk and makes the reader wait for the
/// store, and the run ends when everything is stored.
/// </summary>
public sealed class StoreSink : ISnapshotSink
{
    private readonly IStoreWriter _writer;

    private StoreSink(IStoreWriter writer) => _writer = writer;

    /// <summary>
    /// Writes into <paramref name="store"/>, the process's one store (opened by its composition root with the
    /// Storage settings, and closed by it: disposing the sink flushes its writer, never closes the store).
    /// </summary>
    /// <param name="offline">Reading captures: write through <see cref="ReplayStoreWriter"/> instead of the spool.</param>
    public static StoreSink Open(IMonitorStore store, SpoolOptions spool, ILoggerFactory loggers, bool offline = false) =>
        new(offline
            ? new ReplayStoreWriter(store, spool, loggers.CreateLogger<ReplayStoreWriter>())
            : new SpooledStoreWriter(store, spool, loggers.CreateLogger<SpooledStoreWriter>()));

    public void WriteSeconds(IReadOnlyList<SecondPoint> points) => _writer.Enqueue(points);

    public void WriteInterval(IntervalSnapshot snapshot) => _writer.Enqueue(snapshot);

    public void WriteEvent(MonitorEvent monitorEvent) => _writer.Enqueue(monitorEvent);

    public ValueTask DisposeAsync() => _writer.DisposeAsync();
}
