using Microsoft.Extensions.Logging.Abstractions;
using Monitor.Storage.Model;
using Monitor.Storage.Model.Queries;
using Monitor.Storage.Model.Snapshots;
using Monitor.Storage.Spool;
using static Monitor.Storage.Tests.Support.Snapshots;

namespace Monitor.Storage.Tests.Spool;

public sealed class ReplayStoreWriterTests
{
    [Fact]
    public async Task Enqueue_waits_while_a_batch_is_queued_behind_a_slow_store_and_every_interval_is_written()
    {
        var store = new GatedStore();
        var writer = new ReplayStoreWriter(store, new SpoolOptions { ReplayBatch = 4 }, NullLogger.Instance);
        writer.Enqueue(Interval("p", Base, 1));
        Assert.True(store.Writing.Wait(TimeSpan.FromSeconds(10)), "the first interval went to the store");
        for (var i = 1; i <= 4; i++) writer.Enqueue(Interval("p", Base.AddSeconds(30 * i), 1));

        var fifth = Task.Run(() => writer.Enqueue(Interval("p", Base.AddSeconds(150), 1)));
        await Task.Delay(300);
        Assert.False(fifth.IsCompleted, "Enqueue returned while a whole batch waited for the store");

        store.Gate.Set();
        await fifth.WaitAsync(TimeSpan.FromSeconds(10));
        await writer.DisposeAsync();
        Assert.Equal(Enumerable.Range(0, 6).Select(i => Base.AddSeconds(30 * i)), store.Written.Select(s => s.Start));
    }

    /// <summary>Takes intervals only once the gate is open, as a store that is far behind.</summary>
    private sealed class GatedStore : IMonitorStore
    {
        public ManualResetEventSlim Gate { get; } = new();
        public ManualResetEventSlim Writing { get; } = new();
        public List<IntervalSnapshot> Written { get; } = [];

        public Task WriteIntervalsAsync(IReadOnlyList<IntervalSnapshot> snapshots, CancellationToken cancellationToken = default)
        {
            Writing.Set();
            Gate.Wait(cancellationToken);
            lock (Written) Written.AddRange(snapshots);
            return Task.CompletedTask;
        }

        public Task WriteSecondsAsync(IReadOnlyList<SecondPoint> points, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task WriteEventsAsync(IReadOnlyList<MonitorEvent> events, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<SeriesResult> QuerySeriesAsync(SeriesQuery query, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<ReportRow>> QueryTopAsync(TopQuery query, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<MonitorEvent>> QueryEventsAsync(EventQuery query, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<IntervalSnapshot>> QueryIntervalsAsync(IntervalQuery query, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<ProbeStatus>> QueryProbesAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
