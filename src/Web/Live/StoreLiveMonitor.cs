using Monitor.Storage.Model;
using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Queries;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Web.Live;

/// <summary>
/// Live view for a site without a probe of its own: once a second, while someone watches, reads the
/// 1-second points and the newest interval that separate probes wrote to the store.
/// </summary>
public sealed class StoreLiveMonitor(IMonitorStore store, ILogger<StoreLiveMonitor> logger, TimeProvider time)
    : BackgroundService, ILiveMonitor
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(10);
    private readonly object _gate = new();
    private List<SecondPoint> _recent = [];
    private IntervalSnapshot? _last;
    private Action<SecondPoint>? _secondClosed;
    private Action<IntervalSnapshot>? _intervalClosed;

    public event Action<SecondPoint>? SecondClosed
    {
        add { lock (_gate) _secondClosed += value; }
        remove { lock (_gate) _secondClosed -= value; }
    }

    public event Action<IntervalSnapshot>? IntervalClosed
    {
        add { lock (_gate) _intervalClosed += value; }
        remove { lock (_gate) _intervalClosed -= value; }
    }

    public IReadOnlyList<SecondPoint> RecentSeconds { get { lock (_gate) return _recent; } }

    public IntervalSnapshot? LastInterval { get { lock (_gate) return _last; } }

    public LiveProbeStatus? Status => null;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        var failing = false;
        do
        {
            try
            {
                await PollAsync(stoppingToken);
                if (failing) logger.LogInformation("Live view reads the store again");
                failing = false;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (!failing) logger.LogWarning("Live view cannot read the store: {Error}", e.Message);
                failing = true;
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        DateTimeOffset since, intervalsSince;
        lock (_gate)
        {
            since = _recent.Count > 0 ? _recent[^1].Time.AddSeconds(1) : now - Window;
            intervalsSince = _last is null ? now - TimeSpan.FromHours(1) : _last.Start.AddTicks(1);
        }
        var seconds = new SortedDictionary<DateTimeOffset, Dictionary<string, double>>();
        foreach (var metric in MetricCatalog.PerSecond)
        {
            var series = await store.QuerySeriesAsync(new SeriesQuery(metric, since, now, null, 2000), cancellationToken);
            if (series.Resolution > TimeSpan.FromSeconds(1)) continue;
            foreach (var p in series.Points)
            {
                if (p.Time < since) continue;
                if (!seconds.TryGetValue(p.Time, out var values)) seconds[p.Time] = values = new Dictionary<string, double>();
                values[metric] = p.Avg;
            }
        }
        var fresh = seconds.Select(kv => new SecondPoint("all", kv.Key, kv.Value)).ToList();

        // Only the newest stored interval is kept: read just that one, whatever the number of probes.
        IntervalSnapshot? newest = null;
        var latest = (await store.QueryProbesAsync(cancellationToken)).Max(p => p.LastIntervalStart);
        if (latest is { } start && start >= intervalsSince)
            newest = (await store.QueryIntervalsAsync(new IntervalQuery(start, start, null, 1000), cancellationToken)).MaxBy(i => i.End);

        Action<SecondPoint>? onSecond;
        Action<IntervalSnapshot>? onInterval = null;
        lock (_gate)
        {
            _recent = [.. _recent.Where(p => p.Time >= now - Window), .. fresh];
            if (newest is not null && (_last is null || newest.End > _last.End))
            {
                _last = newest;
                onInterval = _intervalClosed;
            }
            onSecond = _secondClosed;
        }
        foreach (var p in fresh) onSecond?.Invoke(p);
        if (newest is not null) onInterval?.Invoke(newest);
    }
}
