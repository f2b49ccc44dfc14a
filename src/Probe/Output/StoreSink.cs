using Microsoft.Extensions.Logging;
using Monitor.Storage;
using Monitor.Storage.Snapshots;
using Monitor.Storage.Spool;

namespace Monitor.Probe.Output;

/// <summary>
/// Hands every second point, interval and event to Storage's spooled writer, which persists to its
/// on-disk spool first and delivers in the background: the pipeline never waits on the store.
/// </summary>
public sealed class StoreSink : ISnapshotSink
{
    private readonly SpooledStoreWriter _writer;

    private StoreSink(SpooledStoreWriter writer) => _writer = writer;

    /// <summary>
    /// Spools into <paramref name="store"/>, the process's one store (opened by its composition root with the
    /// Storage settings, and closed by it: disposing the sink flushes the spool, never closes the store).
    /// </summary>
    public static StoreSink Open(IMonitorStore store, SpoolOptions spool, ILoggerFactory loggers) =>
        new(new SpooledStoreWriter(store, spool, loggers.CreateLogger<SpooledStoreWriter>()));

    public void WriteSeconds(IReadOnlyList<SecondPoint> points) => _writer.Enqueue(points);

    public void WriteInterval(IntervalSnapshot snapshot) => _writer.Enqueue(snapshot);

    public void WriteEvent(MonitorEvent monitorEvent) => _writer.Enqueue(monitorEvent);

    public ValueTask DisposeAsync() => _writer.DisposeAsync();
}
