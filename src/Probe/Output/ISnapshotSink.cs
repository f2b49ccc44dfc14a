using Monitor.Storage.Model.Snapshots;

namespace Monitor.Probe.Output;

/// <summary>
/// Where the probe's results go (JSON lines, the store, the live feed). Called on the merger thread,
/// in order; a sink must not block for long (the store sink only enqueues).
/// </summary>
public interface ISnapshotSink : IAsyncDisposable
{
    void WriteSeconds(IReadOnlyList<SecondPoint> points);

    void WriteInterval(IntervalSnapshot snapshot);

    void WriteEvent(MonitorEvent monitorEvent);
}
