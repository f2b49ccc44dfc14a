using Monitor.Storage.Model;
using Monitor.Storage.Model.Queries;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.TestKit.Stores;

/// <summary>
/// A real store whose event write can be made to fail once (as a full disk or a dropped connection would),
/// and which records the events it refused and those it passed on, and counts the series it was asked for.
/// </summary>
public sealed class FlakyEventStore(IMonitorStore inner) : IMonitorStore
{
    public bool FailNextEventWrite { get; set; }
    public List<MonitorEvent> Refused { get; } = [];
    public List<MonitorEvent> Written { get; } = [];
    public int SeriesQueries { get; private set; }

    public Task WriteEventsAsync(IReadOnlyList<MonitorEvent> events, CancellationToken cancellationToken = default)
    {
        if (FailNextEventWrite)
        {
            FailNextEventWrite = false;
            Refused.AddRange(events);
            throw new StoreWriteException("event write refused by the test");
        }
        Written.AddRange(events);
        return inner.WriteEventsAsync(events, cancellationToken);
    }

    public Task WriteIntervalsAsync(IReadOnlyList<IntervalSnapshot> snapshots, CancellationToken cancellationToken = default) =>
        inner.WriteIntervalsAsync(snapshots, cancellationToken);

    public Task WriteSecondsAsync(IReadOnlyList<SecondPoint> points, CancellationToken cancellationToken = default) =>
        inner.WriteSecondsAsync(points, cancellationToken);

    public Task<SeriesResult> QuerySeriesAsync(SeriesQuery query, CancellationToken cancellationToken = default)
    {
        SeriesQueries++;
        return inner.QuerySeriesAsync(query, cancellationToken);
    }

    public Task<IReadOnlyList<ReportRow>> QueryTopAsync(TopQuery query, CancellationToken cancellationToken = default) =>
        inner.QueryTopAsync(query, cancellationToken);

    public Task<IReadOnlyList<MonitorEvent>> QueryEventsAsync(EventQuery query, CancellationToken cancellationToken = default) =>
        inner.QueryEventsAsync(query, cancellationToken);

    public Task<IReadOnlyList<IntervalSnapshot>> QueryIntervalsAsync(IntervalQuery query, CancellationToken cancellationToken = default) =>
        inner.QueryIntervalsAsync(query, cancellationToken);

    public Task<IReadOnlyList<ProbeStatus>> QueryProbesAsync(CancellationToken cancellationToken = default) =>
        inner.QueryProbesAsync(cancellationToken);

    /// <summary>The inner store belongs to whoever made it.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
