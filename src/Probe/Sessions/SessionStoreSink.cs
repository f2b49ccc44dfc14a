using Microsoft.Extensions.Logging;
using Monitor.Storage.Sessions;
using Monitor.Storage.Spool;

namespace Monitor.Probe.Sessions;

/// <summary>
/// Session records into the session store (DuckDB or ClickHouse), in batches: a columnar store wants
/// few large appends, so records wait here until a batch is full or, live, the collector runs dry.
/// </summary>
/// <param name="offline">Reading captures: write full batches only (and the rest at the end). Nobody searches
/// the records before the run ends, and the collector runs dry after nearly every interval of a sparse capture:
/// a day-long one made 650 appends of ~300 records, each a DuckDB commit with its fsync.</param>
/// <remarks>
/// A store that refuses (a full disk, a server down) loses nothing: the records wait, with one warning,
/// and go in when it takes them again. Past <see cref="MaxPending"/> waiting records the collector's
/// thread retries until the store answers, so the workers wait rather than records being dropped; only
/// at the run's end, after <see cref="SpoolOptions.FlushTimeout"/>, are the records still waiting
/// reported lost.
/// </remarks>
public sealed class SessionStoreSink(ISessionStore store, string probe, SpoolOptions retry, ILogger logger, bool offline = false) : ISessionSink
{
    private const int Batch = 50_000;
    private const int MaxPending = 4 * Batch;
    private readonly List<SessionRecord> _pending = new(Batch);
    private bool _refusing;

    public void Write(ReadOnlySpan<SessionRecord> records)
    {
        foreach (ref readonly var r in records) _pending.Add(r);
        if (_pending.Count >= Batch) Flush();
    }

    public void Flush()
    {
        if (offline && _pending.Count < Batch) return;
        if (TryWrite() || _pending.Count < MaxPending) return;
        RetryUntil(DateTime.MaxValue);
    }

    public void Complete()
    {
        if (!RetryUntil(DateTime.UtcNow + retry.FlushTimeout))
            throw new IOException($"the session store still refuses after {retry.FlushTimeout}: {_pending.Count} session records are lost");
    }

    /// <summary>Writes the waiting records, retrying with the spool's backoff until the deadline; false if it passed.</summary>
    private bool RetryUntil(DateTime deadline)
    {
        var wait = retry.RetryMin;
        while (!TryWrite())
        {
            if (DateTime.UtcNow >= deadline) return false;
            Thread.Sleep(wait);
            wait = retry.NextRetry(wait);
        }
        return true;
    }

    public void Dispose() => store.DisposeAsync().AsTask().GetAwaiter().GetResult();

    private bool TryWrite()
    {
        if (_pending.Count == 0) return true;
        try
        {
            // The collector's own thread: blocking here holds up only the writing, never the counting.
            store.WriteAsync(probe, _pending).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (!_refusing) logger.LogWarning("Session store refused {Count} session records, they wait for it: {Error}", _pending.Count, e.Message);
            _refusing = true;
            return false;
        }
        if (_refusing) logger.LogInformation("Session store is back: {Count} waiting session records written", _pending.Count);
        _refusing = false;
        _pending.Clear();
        return true;
    }
}
