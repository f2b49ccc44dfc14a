using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Monitor.Storage.Model;
using Monitor.Storage.Model.Queries;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Storage.Spool;

/// <summary>
/// Puts everything a probe produces on disk first (one fsync'd file per item, written to a temporary name and
/// renamed, so a SIGKILL leaves either the whole item or nothing), then delivers the files to the store in
/// order from a background task, retrying with back-off while the store is down or full. Delivery is
/// at-least-once and the stores are idempotent per (probe, interval start), (probe, second) and event id, so
/// a crash between a write and the file's removal replays without doubling. Enqueue never waits for the
/// store. The spool is bounded by <see cref="SpoolOptions.MaxBytes"/>: past it the oldest 1-second batches
/// go first, then the oldest items; every loss is counted, logged and reported as a store_loss event.
/// The writer does not own the store: dispose the writer first (it flushes), then the store.
/// </summary>
public sealed class SpooledStoreWriter : IStoreWriter
{
    private const string Suffix = ".spool";
    private const char IntervalKind = 'i', SecondsKind = 's', EventKind = 'e';

    private readonly IMonitorStore _store;
    private readonly SpoolOptions _options;
    private readonly ILogger _logger;
    private readonly string _directory;
    private readonly FileStream _lock;
    private readonly Lock _gate = new();
    private readonly LinkedList<Entry> _queue = new();
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _delivery;

    private long _nextSequence;
    /// <summary>Items still to deliver one at a time after a refused batch, so only the bad one is lost.</summary>
    private int _singleItems;
    private long _bytes;
    private long _delivered;
    private long _lost;
    private long _lostIntervals, _lostSeconds, _lostEvents;
    private string? _lastProbe;
    private bool _storeAvailable = true;
    private string? _lastError;
    private DateTimeOffset? _lastDelivery;
    private volatile bool _disposing;

    public SpooledStoreWriter(IMonitorStore store, SpoolOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        _store = store;
        _options = options;
        _logger = logger;
        _directory = Path.GetFullPath(options.Directory);
        Directory.CreateDirectory(_directory);
        try
        {
            _lock = new FileStream(Path.Combine(_directory, "spool.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new IOException($"spool {_directory} is in use by another process (one writer per spool folder): {e.Message}", e);
        }
        Load();
        _delivery = Task.Run(DeliverAsync);
    }

    public SpoolStatus Status
    {
        get
        {
            lock (_gate)
                return new SpoolStatus(_queue.Count, _bytes, _delivered, _lost, _storeAvailable, _lastError, _lastDelivery);
        }
    }

    public void Enqueue(IntervalSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        Append(IntervalKind, snapshot.Probe, JsonSerializer.SerializeToUtf8Bytes(snapshot with { Seconds = [] }, StoreJson.Default.IntervalSnapshot));
    }

    public void Enqueue(IReadOnlyList<SecondPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count == 0) return;
        Append(SecondsKind, points[0].Probe, JsonSerializer.SerializeToUtf8Bytes(points, StoreJson.Default.IReadOnlyListSecondPoint));
    }

    public void Enqueue(MonitorEvent monitorEvent)
    {
        ArgumentNullException.ThrowIfNull(monitorEvent);
        Append(EventKind, monitorEvent.Probe, JsonSerializer.SerializeToUtf8Bytes(monitorEvent, StoreJson.Default.MonitorEvent));
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposing) return;
        _disposing = true;
        _wake.Release();
        await Task.WhenAny(_delivery, Task.Delay(_options.FlushTimeout));
        await _stop.CancelAsync();
        await _delivery;
        var left = Status.Pending;
        if (left > 0) _logger.LogWarning("Spool closed with {Pending} items not yet delivered; they stay in {Directory} for the next start", left, _directory);
        _lock.Dispose();
        _stop.Dispose();
        _wake.Dispose();
    }

    private void Append(char kind, string? probe, byte[] payload)
    {
        if (_disposing) throw new ObjectDisposedException(nameof(SpooledStoreWriter));
        lock (_gate)
        {
            if (!string.IsNullOrWhiteSpace(probe)) _lastProbe = probe;
            if (!MakeRoom(payload.Length, kind))
            {
                CountLoss(kind, 1);
                _lastError = $"spool full ({_options.MaxBytes} bytes)";
                _logger.LogWarning("Spool is full ({MaxBytes} bytes): could not keep a new {Kind} item", _options.MaxBytes, KindName(kind));
                return;
            }
            var sequence = _nextSequence++;
            var path = Path.Combine(_directory, string.Create(CultureInfo.InvariantCulture, $"{sequence:D16}-{kind}{Suffix}"));
            try
            {
                var temporary = path + ".tmp";
                using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.None))
                {
                    file.Write(payload);
                    file.Flush(flushToDisk: _options.Fsync);
                }
                File.Move(temporary, path, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                CountLoss(kind, 1);
                _lastError = $"spool write failed: {e.Message}";
                _logger.LogError("Spool could not keep a {Kind} item: {Error}", KindName(kind), e.Message);
                return;
            }
            _queue.AddLast(new Entry(sequence, kind, path, payload.Length));
            _bytes += payload.Length;
        }
        _wake.Release();
    }

    /// <summary>
    /// Drops the oldest 1-second batches, then (for an interval or event) the oldest items, until the new one
    /// fits; never an item being delivered. False when the new item itself cannot be kept.
    /// </summary>
    private bool MakeRoom(long size, char kind)
    {
        while (_bytes + size > _options.MaxBytes)
        {
            LinkedListNode<Entry>? victim = null;
            for (var node = _queue.First; node is not null; node = node.Next)
                if (!node.Value.InFlight && node.Value.Kind == SecondsKind) { victim = node; break; }
            if (victim is null && kind != SecondsKind)
                for (var node = _queue.First; node is not null; node = node.Next)
                    if (!node.Value.InFlight) { victim = node; break; }
            if (victim is null) return false;
            _queue.Remove(victim);
            _bytes -= victim.Value.Size;
            TryDelete(victim.Value.Path);
            CountLoss(victim.Value.Kind, 1);
            _logger.LogWarning("Spool is full ({MaxBytes} bytes): dropped the oldest {Kind} item", _options.MaxBytes, KindName(victim.Value.Kind));
        }
        return true;
    }

    private void Load()
    {
        foreach (var temporary in Directory.EnumerateFiles(_directory, "*" + Suffix + ".tmp")) TryDelete(temporary);
        var found = new List<Entry>();
        foreach (var path in Directory.EnumerateFiles(_directory, "*" + Suffix))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            var dash = name.IndexOf('-', StringComparison.Ordinal);
            if (dash <= 0 || dash != name.Length - 2
                || !long.TryParse(name.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
                || name[^1] is not (IntervalKind or SecondsKind or EventKind))
                continue;
            found.Add(new Entry(sequence, name[^1], path, new FileInfo(path).Length));
        }
        foreach (var entry in found.OrderBy(e => e.Sequence))
        {
            _queue.AddLast(entry);
            _bytes += entry.Size;
        }
        _nextSequence = found.Count == 0 ? 0 : found.Max(e => e.Sequence) + 1;
        if (found.Count > 0)
            _logger.LogInformation("Spool {Directory} holds {Count} undelivered items from an earlier run; delivering them first", _directory, found.Count);
    }

    private async Task DeliverAsync()
    {
        var delay = _options.RetryMin;
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            var batch = TakeBatch();
            if (batch.Count == 0)
            {
                if (_disposing) return;
                try { await _wake.WaitAsync(token); } catch (OperationCanceledException) { return; }
                continue;
            }
            try
            {
                await WriteAsync(batch, token);
                Complete(batch);
                delay = _options.RetryMin;
                await ReportLossAsync(token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                Release(batch);
                return;
            }
            catch (Exception e) when (IsRefusal(e) && batch.Count > 1)
            {
                // One bad item must not cost the good ones around it: the next items go one by one.
                _logger.LogWarning("Store refused a batch of {Count} spooled {Kind} items ({Error}); delivering them one by one",
                    batch.Count, KindName(batch[0].Kind), e.Message);
                lock (_gate) _singleItems = batch.Count;
                Release(batch);
            }
            catch (Exception e) when (IsRefusal(e))
            {
                lock (_gate) _lastError = $"store refused a {KindName(batch[0].Kind)} item: {e.Message}";
                _logger.LogError("Store refused {Count} spooled {Kind} item(s), dropping them: {Error}", batch.Count, KindName(batch[0].Kind), e.Message);
                Complete(batch, lost: true);
            }
            catch (Exception e)
            {
                Release(batch);
                bool wasAvailable;
                lock (_gate)
                {
                    wasAvailable = _storeAvailable;
                    _storeAvailable = false;
                    _lastError = e.Message;
                }
                if (wasAvailable)
                    _logger.LogWarning("Store unavailable, spooling to {Directory} ({Pending} pending): {Error}", _directory, Status.Pending, e.Message);
                try { await Task.Delay(delay, token); } catch (OperationCanceledException) { return; }
                delay = _options.NextRetry(delay);
            }
        }
    }

    private List<Entry> TakeBatch()
    {
        lock (_gate)
        {
            var batch = new List<Entry>();
            var node = _queue.First;
            if (node is null) return batch;
            var kind = node.Value.Kind;
            var limit = _singleItems > 0 ? 1 : kind switch { SecondsKind => _options.SecondsBatch, EventKind => 500, _ => _options.IntervalsBatch };
            if (_singleItems > 0) _singleItems--;
            while (node is not null && node.Value.Kind == kind && batch.Count < limit)
            {
                node.Value.InFlight = true;
                batch.Add(node.Value);
                node = node.Next;
            }
            return batch;
        }
    }

    private async Task WriteAsync(List<Entry> batch, CancellationToken token)
    {
        var payloads = new List<byte[]>(batch.Count);
        foreach (var entry in batch) payloads.Add(await File.ReadAllBytesAsync(entry.Path, token));
        switch (batch[0].Kind)
        {
            case IntervalKind:
                var snapshots = payloads.Select(p => JsonSerializer.Deserialize(p, StoreJson.Default.IntervalSnapshot)
                    ?? throw new JsonException("empty spooled interval")).ToList();
                await _store.WriteIntervalsAsync(snapshots, token);
                break;
            case SecondsKind:
                var points = new List<SecondPoint>();
                foreach (var payload in payloads)
                    points.AddRange(JsonSerializer.Deserialize(payload, StoreJson.Default.ListSecondPoint) ?? []);
                await _store.WriteSecondsAsync(points, token);
                break;
            default:
                var events = payloads.Select(p => JsonSerializer.Deserialize(p, StoreJson.Default.MonitorEvent)
                    ?? throw new JsonException("empty spooled event")).ToList();
                await _store.WriteEventsAsync(events, token);
                break;
        }
    }

    private static bool IsRefusal(Exception e) => e is StoreQueryException or ArgumentException or JsonException or NotSupportedException;

    private void Complete(List<Entry> batch, bool lost = false)
    {
        lock (_gate)
        {
            // Logged before the items leave the queue, so whoever sees the spool empty also sees this line.
            if (!lost && !_storeAvailable)
                _logger.LogInformation("Store available again; delivering {Pending} spooled items", _queue.Count);
            foreach (var entry in batch)
            {
                _queue.Remove(entry);
                _bytes -= entry.Size;
            }
            if (lost) CountLoss(batch[0].Kind, batch.Count);
            else
            {
                _delivered += batch.Count;
                _lastDelivery = DateTimeOffset.UtcNow;
            }
            if (!lost) _storeAvailable = true;
        }
        foreach (var entry in batch) TryDelete(entry.Path);
    }

    private void Release(List<Entry> batch)
    {
        lock (_gate)
            foreach (var entry in batch) entry.InFlight = false;
    }

    private void CountLoss(char kind, int count)
    {
        _lost += count;
        switch (kind)
        {
            case IntervalKind: _lostIntervals += count; break;
            case SecondsKind: _lostSeconds += count; break;
            default: _lostEvents += count; break;
        }
    }

    /// <summary>Tells the store what the spool lost since the last report, once the store takes writes again.</summary>
    private async Task ReportLossAsync(CancellationToken token)
    {
        long intervals, seconds, events;
        string probe;
        lock (_gate)
        {
            (intervals, seconds, events) = (_lostIntervals, _lostSeconds, _lostEvents);
            probe = _lastProbe ?? "";
        }
        if (intervals + seconds + events == 0) return;
        var loss = MonitorEvent.StoreLoss(probe,
            $"spool could not keep {intervals} interval(s), {seconds} second batch(es) and {events} event(s)",
            new Dictionary<string, string>
            {
                ["intervals"] = intervals.ToString(CultureInfo.InvariantCulture),
                ["second_batches"] = seconds.ToString(CultureInfo.InvariantCulture),
                ["events"] = events.ToString(CultureInfo.InvariantCulture),
            });
        try
        {
            await _store.WriteEventsAsync([loss], token);
            lock (_gate)
            {
                _lostIntervals -= intervals;
                _lostSeconds -= seconds;
                _lostEvents -= events;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning("Could not record a store_loss event yet: {Error}", e.Message);
        }
    }

    private static string KindName(char kind) => kind switch
    {
        IntervalKind => "interval",
        SecondsKind => "1-second",
        _ => "event",
    };

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private sealed class Entry(long sequence, char kind, string path, long size)
    {
        public long Sequence { get; } = sequence;
        public char Kind { get; } = kind;
        public string Path { get; } = path;
        public long Size { get; } = size;
        public bool InFlight { get; set; }
    }
}
