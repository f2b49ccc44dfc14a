using Microsoft.Extensions.Logging;
using Monitor.Storage;
using Monitor.Storage.Snapshots;
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
    private readonly IMonitorStore _store;
    private readonly IStoreWriter _writer;

    private StoreSink(IMonitorStore store, IStoreWriter writer)
    {
        _store = store;
        _writer = writer;
    }

    /// <summary>Opens the store named by the spec; a bad spec is an <see cref="ArgumentException"/> with a clear message.</summary>
    /// <param name="offline">Reading captures: write through <see cref="ReplayStoreWriter"/> instead of the spool.</param>
    public static StoreSink Open(string spec, SpoolOptions spool, ILoggerFactory loggers, bool offline = false)
    {
        var store = StoreFactory.Open(spec, loggers);
        try
        {
            IStoreWriter writer = offline
                ? new ReplayStoreWriter(store, spool, loggers.CreateLogger<ReplayStoreWriter>())
                : new SpooledStoreWriter(store, spool, loggers.CreateLogger<SpooledStoreWriter>());
            return new StoreSink(store, writer);
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
