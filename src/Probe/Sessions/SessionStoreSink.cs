using Monitor.Storage.Sessions;

namespace Monitor.Probe.Sessions;

/// <summary>
/// Session records into the session store (DuckDB or ClickHouse), in batches: a columnar store wants
/// few large appends, so records wait here until a batch is full or the collector runs dry.
/// </summary>
public sealed class SessionStoreSink(ISessionStore store, string probe) : ISessionSink
{
    private const int Batch = 50_000;
    private readonly List<SessionRecord> _pending = new(Batch);

    public void Write(ReadOnlySpan<SessionRecord> records)
    {
        foreach (ref readonly var r in records) _pending.Add(r);
        if (_pending.Count >= Batch) Flush();
    }

    public void Flush()
    {
        if (_pending.Count == 0) return;
        // The collector's own thread: blocking here holds up only the writing, never the counting.
        store.WriteAsync(probe, _pending).GetAwaiter().GetResult();
        _pending.Clear();
    }

    public void Dispose() => store.DisposeAsync().AsTask().GetAwaiter().GetResult();
}
