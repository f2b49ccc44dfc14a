using Monitor.Storage.Model.Queries;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Storage.Model;

/// <summary>
/// The one interface through which probes write and the site and alerting read, whatever the backend
/// (SQLite file or InfluxDB). Query methods throw <see cref="StoreQueryException"/> for bad arguments.
/// </summary>
public interface IMonitorStore : IAsyncDisposable
{
    /// <summary>
    /// Stores closed intervals (one, a spool's backlog, a history fill) with the same result as writing them one by
    /// one in list order, in far fewer transactions or requests. Idempotent per (probe, start): a replay replaces,
    /// never doubles; a bad snapshot anywhere in the list is an <see cref="ArgumentException"/> before anything is written.
    /// </summary>
    Task WriteIntervalsAsync(IReadOnlyList<IntervalSnapshot> snapshots, CancellationToken cancellationToken = default);

    /// <summary>Stores one closed interval, as a batch of one.</summary>
    Task WriteIntervalAsync(IntervalSnapshot snapshot, CancellationToken cancellationToken = default) =>
        WriteIntervalsAsync([snapshot], cancellationToken);

    /// <summary>Stores 1-second points as they happen (live graphs of separate probe processes).</summary>
    Task WriteSecondsAsync(IReadOnlyList<SecondPoint> points, CancellationToken cancellationToken = default);

    /// <summary>Stores events; idempotent per event Id.</summary>
    Task WriteEventsAsync(IReadOnlyList<MonitorEvent> events, CancellationToken cancellationToken = default);

    Task<SeriesResult> QuerySeriesAsync(SeriesQuery query, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ReportRow>> QueryTopAsync(TopQuery query, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<MonitorEvent>> QueryEventsAsync(EventQuery query, CancellationToken cancellationToken = default);

    /// <summary>Stored intervals (full snapshots without their 1-second points) whose start lies in the range.</summary>
    Task<IReadOnlyList<IntervalSnapshot>> QueryIntervalsAsync(IntervalQuery query, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ProbeStatus>> QueryProbesAsync(CancellationToken cancellationToken = default);
}
