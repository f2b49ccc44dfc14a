using System.Globalization;
using Microsoft.Extensions.Logging;
using Monitor.Storage.Model;
using Monitor.Storage.Model.Queries;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Storage.Spool;

/// <summary>
/// The store writer for reading captures: what the probe produces goes to the store in large batches
/// (up to <see cref="SpoolOptions.ReplayBatch"/> intervals and their 1-second points per write) from a
/// background task, and Enqueue waits while that many intervals are already queued, so the capture reader
/// slows to the store's pace instead of piling up memory. Nothing goes through spool files: a day-long
/// capture made 86,400 fsync'd files, took minutes, and left thousands of items undelivered at exit.
/// Disposing waits until everything is written (a replay is finished when its data is in the store).
/// While the store is unreachable writes are retried with back-off; a batch the store refuses is logged,
/// counted and written as a store_loss event, never dropped silently.
/// </summary>
public sealed class ReplayStoreWriter : IStoreWriter
{
    private readonly IMonitorStore _store;
    private readonly SpoolOptions _options;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private List<IntervalSnapshot> _intervals = new();
    private List<SecondPoint> _seconds = new();
    private List<MonitorEvent> _events = new();
    private readonly Task _delivery;
    private bool _completed;
    private long _delivered;
    private long _lost;
    private string? _lastError;
    private string? _lastProbe;
    private DateTimeOffset? _lastDelivery;
    private bool _storeAvailable = true;

    public ReplayStoreWriter(IMonitorStore store, SpoolOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        _store = store;
        _options = options;
        _logger = logger;
        _delivery = Task.Run(DeliverAsync);
    }

    public SpoolStatus Status
    {
        get
        {
            lock (_gate)
                return new SpoolStatus(_intervals.Count + _seconds.Count + _events.Count, 0, _delivered, _lost,
                    _storeAvailable, _lastError, _lastDelivery);
        }
    }

    public void Enqueue(IntervalSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        lock (_gate)
        {
            // Backpressure: the reader waits for the store rather than the queue growing with the capture.
            while (_intervals.Count >= _options.ReplayBatch && !_completed) System.Threading.Monitor.Wait(_gate);
            ThrowIfCompleted();
            _intervals.Add(snapshot with { Seconds = [] });
            _lastProbe = snapshot.Probe;
            System.Threading.Monitor.PulseAll(_gate);
        }
    }

    public void Enqueue(IReadOnlyList<SecondPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count == 0) return;
        lock (_gate)
        {
            while (_seconds.Count >= _options.ReplayBatch * 3600 && !_completed) System.Threading.Monitor.Wait(_gate);
            ThrowIfCompleted();
            _seconds.AddRange(points);
            System.Threading.Monitor.PulseAll(_gate);
        }
    }

    public void Enqueue(MonitorEvent monitorEvent)
    {
        ArgumentNullException.ThrowIfNull(monitorEvent);
        lock (_gate)
        {
            ThrowIfCompleted();
            _events.Add(monitorEvent);
            System.Threading.Monitor.PulseAll(_gate);
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_completed) return;
            _completed = true;
            System.Threading.Monitor.PulseAll(_gate);
        }
        await _delivery;
    }

    private void ThrowIfCompleted()
    {
        if (_completed) throw new ObjectDisposedException(nameof(ReplayStoreWriter));
    }

    private async Task DeliverAsync()
    {
        var delay = _options.RetryMin;
        while (true)
        {
            List<SecondPoint> seconds;
            List<IntervalSnapshot> intervals;
            List<MonitorEvent> events;
            lock (_gate)
            {
                while (_intervals.Count + _seconds.Count + _events.Count == 0)
                {
                    if (_completed) return;
                    System.Threading.Monitor.Wait(_gate);
                }
                (seconds, intervals, events) = (_seconds, _intervals, _events);
                (_seconds, _intervals, _events) = (new(), new(), new());
                System.Threading.Monitor.PulseAll(_gate);
            }
            // Every kind is keyed (probe and time, or event id), so writing seconds, intervals and events
            // of a stretch in three bulk writes gives what writing them in arrival order would.
            await WriteAsync("1-second point", seconds.Count, () => _store.WriteSecondsAsync(seconds), delay);
            await WriteAsync("interval", intervals.Count, () => _store.WriteIntervalsAsync(intervals), delay);
            await WriteAsync("event", events.Count, () => _store.WriteEventsAsync(events), delay);
        }
    }

    /// <summary>Writes one batch: retried with back-off while the store is unavailable, counted as lost if refused.</summary>
    private async Task WriteAsync(string kind, int count, Func<Task> write, TimeSpan delay)
    {
        if (count == 0) return;
        while (true)
        {
            try
            {
                await write();
                lock (_gate)
                {
                    if (!_storeAvailable) _logger.LogInformation("Store available again");
                    _storeAvailable = true;
                    _delivered += count;
                    _lastDelivery = DateTimeOffset.UtcNow;
                }
                return;
            }
            catch (Exception e) when (e is StoreQueryException or ArgumentException or NotSupportedException)
            {
                lock (_gate)
                {
                    _lost += count;
                    _lastError = $"store refused {count} {kind}(s): {e.Message}";
                }
                _logger.LogError("Store refused {Count} {Kind}(s), they are lost: {Error}", count, kind, e.Message);
                await ReportLossAsync(kind, count);
                return;
            }
            catch (Exception e)
            {
                bool wasAvailable;
                lock (_gate)
                {
                    wasAvailable = _storeAvailable;
                    _storeAvailable = false;
                    _lastError = e.Message;
                }
                if (wasAvailable) _logger.LogWarning("Store unavailable, the replay waits for it: {Error}", e.Message);
                await Task.Delay(delay);
                delay = _options.NextRetry(delay);
            }
        }
    }

    private async Task ReportLossAsync(string kind, int count)
    {
        var loss = MonitorEvent.StoreLoss(_lastProbe ?? "", $"store refused {count} {kind}(s) of a capture replay",
            new Dictionary<string, string> { ["kind"] = kind, ["count"] = count.ToString(CultureInfo.InvariantCulture) });
        try { await _store.WriteEventsAsync([loss]); }
        catch (Exception e) { _logger.LogWarning("Could not record a store_loss event: {Error}", e.Message); }
    }
}
