using Monitor.Storage.Model.Snapshots;

namespace Monitor.Storage.Spool;

/// <summary>
/// How a probe's output reaches its store: live through the on-disk spool (<see cref="SpooledStoreWriter"/>,
/// never waits for the store), reading captures in bulk (<see cref="ReplayStoreWriter"/>, waits for it).
/// The writer does not own the store: dispose the writer first (it flushes), then the store.
/// </summary>
public interface IStoreWriter : IAsyncDisposable
{
    SpoolStatus Status { get; }

    void Enqueue(IntervalSnapshot snapshot);

    void Enqueue(IReadOnlyList<SecondPoint> points);

    void Enqueue(MonitorEvent monitorEvent);
}
