using System.Collections.Concurrent;
using Monitor.Storage.Sessions;

namespace Monitor.Probe.Sessions;

/// <summary>Where session records go: JSON Lines, a session store. Called on the collector's one thread.</summary>
public interface ISessionSink : IDisposable
{
    void Write(ReadOnlySpan<SessionRecord> records);
    void Flush();

    /// <summary>The run's end: everything written, or an exception saying what is lost.</summary>
    void Complete() => Flush();
}

/// <summary>
/// Takes the session tables' record buffers from the workers and writes them on a thread of its own,
/// so a slow sink never stalls counting. The queue is bounded: past it a worker waits (records are
/// never dropped). Buffers go back to a pool, so records cost no allocation once running.
/// </summary>
internal sealed class SessionCollector : IDisposable
{
    public const int BufferLength = 4096;

    private readonly BlockingCollection<(SessionRecord[] Records, int Count)> _queue = new(boundedCapacity: 64);
    private readonly ConcurrentQueue<SessionRecord[]> _pool = new();
    private readonly IReadOnlyList<ISessionSink> _sinks;
    private readonly Thread _thread;
    private long _written;

    public SessionCollector(IReadOnlyList<ISessionSink> sinks)
    {
        _sinks = sinks;
        _thread = new Thread(Run) { IsBackground = true, Name = "probe-sessions" };
        _thread.Start();
    }

    /// <summary>Records written to the sinks so far.</summary>
    public long Written => Interlocked.Read(ref _written);

    public Exception? Failure { get; private set; }

    public SessionRecord[] Rent() => _pool.TryDequeue(out var buffer) ? buffer : new SessionRecord[BufferLength];

    public void Post(SessionRecord[] records, int count) => _queue.Add((records, count));

    /// <summary>Writes everything posted, flushes the sinks and stops the thread.</summary>
    public void Complete()
    {
        _queue.CompleteAdding();
        _thread.Join();
    }

    private void Run()
    {
        foreach (var (records, count) in _queue.GetConsumingEnumerable())
        {
            if (Failure is null)
            {
                try
                {
                    foreach (var sink in _sinks) sink.Write(records.AsSpan(0, count));
                    Interlocked.Add(ref _written, count);
                    if (_queue.Count == 0)
                        foreach (var sink in _sinks) sink.Flush();
                }
                catch (Exception e)
                {
                    // Counting goes on; the run reports the failure at its end.
                    Failure = e;
                }
            }
            _pool.Enqueue(records);
        }
        if (Failure is null)
        {
            try
            {
                foreach (var sink in _sinks) sink.Complete();
            }
            catch (Exception e)
            {
                Failure = e;
            }
        }
    }

    public void Dispose()
    {
        if (!_queue.IsAddingCompleted) Complete();
        foreach (var sink in _sinks) sink.Dispose();
        _queue.Dispose();
    }
}
