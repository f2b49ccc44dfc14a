using Monitor.Storage;
using Monitor.Storage.Queries;
using Monitor.Storage.Snapshots;

namespace Monitor.Storage.Tests.Anomalies;

internal sealed class ScratchMemoryStore : IMonitorStore
{
    private readonly List<IntervalSnapshot> _intervals = [];
    private readonly Dictionary<string, MonitorEvent> _events = [];
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    public Task WriteIntervalAsync(IntervalSnapshot s, CancellationToken c = default) { lock (_intervals) _intervals.Add(s with { Reports = new Dictionary<string, IReadOnlyList<ReportRow>>() }); return Task.CompletedTask; }
    public Task WriteSecondsAsync(IReadOnlyList<SecondPoint> p, CancellationToken c = default) => Task.CompletedTask;
    public Task WriteEventsAsync(IReadOnlyList<MonitorEvent> e, CancellationToken c = default) { foreach (var x in e) _events[x.Id] = x; return Task.CompletedTask; }
    public Task<SeriesResult> QuerySeriesAsync(SeriesQuery q, CancellationToken c = default)
    {
        List<IntervalSnapshot> list;
        lock (_intervals) list = _intervals.Where(s => s.Start >= q.From && s.Start < q.To).OrderBy(s => s.Start).ToList();
        return Task.FromResult(new SeriesResult(q.Metric, TimeSpan.FromSeconds(30),
            list.Select(s => { var v = s.Metrics.GetValueOrDefault(q.Metric); return new SeriesBucket(s.Start, v, v, v); }).ToList()));
    }
    public Task<IReadOnlyList<ReportRow>> QueryTopAsync(TopQuery q, CancellationToken c = default) => throw new NotSupportedException();
    public Task<IReadOnlyList<MonitorEvent>> QueryEventsAsync(EventQuery q, CancellationToken c = default) =>
        Task.FromResult<IReadOnlyList<MonitorEvent>>(_events.Values.Where(e => e.Time >= q.From && e.Time < q.To).ToList());
    public Task<IReadOnlyList<IntervalSnapshot>> QueryIntervalsAsync(IntervalQuery q, CancellationToken c = default) => throw new NotSupportedException();
    public Task<IReadOnlyList<ProbeStatus>> QueryProbesAsync(CancellationToken c = default) =>
        Task.FromResult<IReadOnlyList<ProbeStatus>>([new ProbeStatus("history", null, null, 0, 0, null, null)]);
}
