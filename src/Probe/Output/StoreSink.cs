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
    private readonly IMonitorStore _store;
    private readonly SpooledStoreWriter _writer;

    private StoreSink(IMonitorStore store, SpooledStoreWriter writer)
    {
        _store = store;
        _writer = writer;
    }

    /// <summary>Opens the store named by the spec; a bad spec is an <see cref="ArgumentException"/> with a clear message.</summary>
    public static StoreSink Open(string spec, SpoolOptions spool, ILoggerFactory loggers)
    {
        var store = StoreFactory.Open(spec, loggers);
        try
        {
            return new StoreSink(store, new SpooledStoreWriter(store, spool, loggers.CreateLogger<SpooledStoreWriter>()));
        }
        catch
        {
            store.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    public void WriteSeconds(IReadOnlyList<SecondPoint> points) => _writer.Enqueue(points);

    public void WriteInterval(IntervalSnapshot snapshot) => _writer.Enqueue(snapshot);

    public void WriteEvent(MonitorEvent monitorEvent) => _writer.Enqueue(monitorEvent);

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        await _store.DisposeAsync();
    }
}
