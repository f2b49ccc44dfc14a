using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Monitor.Probe.Counting;
using Monitor.Probe.Output;
using Monitor.Probe.Reports;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Probe.Merge;

/// <summary>
/// Off the capture thread: waits until every worker has handed over a boundary, sums their counters
/// into the second point, and at an interval's end merges their report tables once, builds the
/// snapshot and writes it to every sink. The merge+write time of each interval is measured.
/// </summary>
internal sealed class IntervalMerger : IMergeInbox, IDisposable
{
    private readonly int _workers;
    private readonly SnapshotBuilder _builder;
    private readonly IReadOnlyList<ISnapshotSink> _sinks;
    private readonly ReportOptions _reportOptions;
    private readonly ILogger _logger;
    private readonly BlockingCollection<IReadOnlyList<WorkerHandover>> _inbox = new();
    private readonly ReportSetPool[] _reportPools;
    private readonly Dictionary<long, Pending> _pending = new();
    private readonly List<SecondPoint> _seconds = new();
    private readonly Thread _thread;
    private readonly bool _offline;
    private long[]? _interval;
    private SourceCounts _intervalSource;

    /// <param name="partitions">Partitions counting at once: each has its own three sets, one being counted and one
    /// being merged, plus one spare so a slow merge of a big interval does not stall the counting.</param>
    /// <param name="offline">Reading captures: give the sinks an interval's second points together at its end, not one
    /// write per second (nobody watches them live, and a day has 86,400); and leave collections to the GC instead of
    /// <see cref="GenerationZeroBudget"/>: the intervals queued for the store's next bulk write survive every forced
    /// collection, so forcing one per 8 MiB copied and compacted them over and over (about half of the merger's time on
    /// a day-long capture), and a replay's memory is bounded by that queue, not by how long it runs.</param>
    public IntervalMerger(int workers, int partitions, SnapshotBuilder builder, IReadOnlyList<ISnapshotSink> sinks,
        ReportOptions reportOptions, ILogger logger, bool offline = false)
    {
        _offline = offline;
        _workers = workers;
        _reportPools = [.. Enumerable.Range(0, partitions).Select(_ => new ReportSetPool(reportOptions, 3))];
        _builder = builder;
        _sinks = sinks;
        _reportOptions = reportOptions;
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = "probe-merger" };
    }

    public Exception? Failure { get; private set; }

    /// <summary>Merge and write time of the last closed interval.</summary>
    public TimeSpan LastMergeTime { get; private set; }

    public int IntervalsClosed { get; private set; }

    public event Action<SecondPoint>? SecondClosed;

    public event Action<IntervalSnapshot, TimeSpan>? IntervalClosed;

    public void Start() => _thread.Start();

    /// <summary>The next interval's report set for a partition; waits while the merger still holds every set of that partition.</summary>
    public ReportSet RentReports(int partition) => _reportPools[partition].Rent();

    /// <summary>Report sets made in this run: bounded by the partitions, however many intervals were counted.</summary>
    public int ReportSetsCreated => _reportPools.Sum(pool => pool.Created);

    /// <summary>Boundaries one worker closed, in order (a batch's worth: several seconds read offline).</summary>
    public void Post(IReadOnlyList<WorkerHandover> handovers) => _inbox.Add(handovers);

    public void Fail(Exception e)
    {
        lock (_inbox) Failure ??= e;
        foreach (var pool in _reportPools) pool.Abandon();
    }

    /// <summary>Waits for every handover posted so far to be merged and written.</summary>
    public void Complete()
    {
        _inbox.CompleteAdding();
        _thread.Join();
    }

    private void Run()
    {
        foreach (var handovers in _inbox.GetConsumingEnumerable())
        foreach (var handover in handovers)
        {
            try
            {
                Accept(handover);
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Merging an interval failed");
                Fail(e);
            }
        }
    }

    private void Accept(WorkerHandover handover)
    {
        var seq = handover.Boundary.Sequence;
        if (!_pending.TryGetValue(seq, out var pending))
        {
            pending = new Pending(handover.Boundary, handover.Counters);
            _pending[seq] = pending;
        }
        else
        {
            CounterSlots.Add(pending.Counters, handover.Counters);
        }
        // Threads that split a partition's tables all hand over the same set: it is merged once.
        if (handover.Reports is not null && !pending.Reports.Contains(handover.Reports)) pending.Reports.Add(handover.Reports);
        if (++pending.Arrived < _workers) return;
        _pending.Remove(seq);
        Close(pending);
    }

    private void Close(Pending pending)
    {
        var boundary = pending.Boundary;
        var second = _builder.BuildSecond(boundary.Second, pending.Counters, boundary.Source);
        _seconds.Add(second);
        if (_interval is null) _interval = pending.Counters;
        else CounterSlots.Add(_interval, pending.Counters);
        _intervalSource += boundary.Source;
        if (!_offline) Write(sink => sink.WriteSeconds([second]));
        SecondClosed?.Invoke(second);

        if (boundary.Interval is not { } bounds) return;

        SecondPoint[] seconds = [.. _seconds];
        if (_offline) Write(sink => sink.WriteSeconds(seconds));
        var clock = Stopwatch.StartNew();
        var merged = pending.Reports[0];
        for (var i = 1; i < pending.Reports.Count; i++) merged.MergeFrom(pending.Reports[i]);
        var results = merged.Build(bounds.End - bounds.Start);
        var snapshot = _builder.BuildInterval(bounds, _interval, _intervalSource, results, seconds);
        Write(sink => sink.WriteInterval(snapshot));
        clock.Stop();
        LastMergeTime = clock.Elapsed;
        IntervalsClosed++;

        foreach (var set in pending.Reports)
        {
            set.Clear();
            set.Pool!.Return(set);
        }
        _interval = null;
        _intervalSource = default;
        _seconds.Clear();
        if (!_offline) GenerationZeroBudget.AfterInterval();

        _logger.LogInformation(
            "Interval {Start:u} closed: {Packets} packets, {Bytes} bytes; merge+write {MergeMs:F1} ms",
            bounds.Start, snapshot.Packets, snapshot.Bytes, LastMergeTime.TotalMilliseconds);
        IntervalClosed?.Invoke(snapshot, LastMergeTime);
    }

    private void Write(Action<ISnapshotSink> write)
    {
        foreach (var sink in _sinks)
        {
            try
            {
                write(sink);
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Output {Sink} failed", sink.GetType().Name);
                Fail(e);
            }
        }
    }

    public void Dispose() => _inbox.Dispose();

    private sealed class Pending(Boundary boundary, long[] counters)
    {
        public Boundary Boundary { get; } = boundary;
        public long[] Counters { get; } = counters;
        public List<ReportSet> Reports { get; } = new(4);
        public int Arrived { get; set; }
    }
}
