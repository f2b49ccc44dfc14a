using System.Runtime.CompilerServices;
using Monitor.Probe.Bpf;
using Monitor.Probe.Decode;
using Monitor.Probe.Intervals;
using Monitor.Probe.Reports;
using Monitor.Probe.Sessions;

namespace Monitor.Probe.Dispatch;

/// <summary>
/// One counting thread: decodes every packet of the batches its queue delivers and counts them into
/// its own second counters and its partition's report set. At a boundary it hands both to the merger
/// and starts afresh, so no table is written by two threads. When threads split the tables, each sees
/// every packet of its partition and fills only its own tables of the shared set; the one with the host
/// tables also counts the traffic counters.
/// </summary>
internal sealed class Worker
{
    private readonly int _index;
    private readonly SpscQueue<PacketBatch> _work;
    private readonly SpscQueue<PacketBatch> _free;
    private readonly IntervalMerger _merger;
    private readonly BpfGraphSet _bpf;
    private readonly PartitionReports _partitionReports;
    private readonly ReportTables _tables;
    private readonly int _slots;
    private long[] _counters;
    private ReportSet _reports;
    private readonly LookaheadCounter _lookahead;
    private readonly bool _countsTraffic;
    private readonly SessionTable? _sessions;
    private bool _sessionStatusDue;
    private long _newFlowsBefore;
    private Thread? _thread;

    public Worker(int index, int queueCapacity, IntervalMerger merger, BpfGraphSet bpf, PartitionReports reports,
        ReportTables tables = ReportTables.All, SessionTable? sessions = null)
    {
        _index = index;
        _sessions = sessions;
        _lookahead = new LookaheadCounter(tables);
        _countsTraffic = (tables & ReportTables.Hosts) != 0;
        _work = new SpscQueue<PacketBatch>(queueCapacity);
        _free = new SpscQueue<PacketBatch>(queueCapacity + 4);
        _merger = merger;
        _bpf = bpf;
        _partitionReports = reports;
        _tables = tables;
        _slots = CounterSlots.Fixed + bpf.SlotCount;
        _counters = new long[_slots];
        _reports = reports.First;
    }

    /// <summary>Full batches, from the capture thread.</summary>
    public SpscQueue<PacketBatch> Work => _work;

    /// <summary>Counted batches, back to the capture thread for reuse.</summary>
    public SpscQueue<PacketBatch> Free => _free;

    /// <summary>A batch with this boundary tells the worker to stop after its packets.</summary>
    public static readonly Boundary Stop = new(-1, default, null, default);

    public Exception? Failure { get; private set; }

    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = $"probe-worker-{_index}" };
        _thread.Start();
    }

    public void Join() => _thread?.Join();

    private void Run()
    {
        try
        {
            while (true)
            {
                var batch = _work.Dequeue();
                if (_sessionStatusDue && !ReferenceEquals(batch.Boundary, Stop))
                {
                    // Status records for the interval that closed, unless the capture ended with it:
                    // then the sessions end ("stopped") instead.
                    _sessions!.ReportOpen();
                    _sessionStatusDue = false;
                }
                CountBatch(batch);
                var boundary = batch.Boundary;
                Recycle(batch);
                if (ReferenceEquals(boundary, Stop))
                {
                    _sessions?.Close();
                    return;
                }
                if (boundary is not null) HandOver(boundary);
            }
        }
        catch (Exception e)
        {
            Failure = e;
            _merger.Fail(e);
            Drain();
        }
    }

    /// <summary>After a failure, keeps taking batches so the capture thread never waits on a dead worker.</summary>
    private void Drain()
    {
        while (true)
        {
            var batch = _work.Dequeue();
            var stop = ReferenceEquals(batch.Boundary, Stop);
            Recycle(batch);
            if (stop) return;
        }
    }

    /// <summary>The last worker done with a batch gives it back to the capture thread.</summary>
    private void Recycle(PacketBatch batch)
    {
        if (!batch.Release()) return;
        batch.Reset();
        _free.TryEnqueue(batch);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CountBatch(PacketBatch batch)
    {
        var counters = _counters;
        var reports = _reports;
        var lookahead = _lookahead;
        var traffic = _countsTraffic;
        var bpf = traffic && _bpf.SlotCount > 0;
        var sessions = _sessions;
        for (var i = 0; i < batch.Count; i++)
        {
            var raw = batch[i];
            ref var decoded = ref lookahead.Next;
            PacketDecoder.Decode(raw, ref decoded);
            sessions?.Count(in decoded);
            if (traffic) CounterSlots.Count(counters, decoded);
            if (bpf) _bpf.Count(counters, CounterSlots.Fixed, raw);
            lookahead.Commit(reports);
        }
        // A batch never spans a second boundary, and the tables change hands only at one.
        lookahead.Flush(reports);
    }

    private void HandOver(Boundary boundary)
    {
        if (_sessions is { } sessions)
        {
            // Sessions end by packet time: the second's end is "now" for their timeouts.
            var now = boundary.Second.UtcTicks + TimeSpan.TicksPerSecond;
            sessions.Expire(now);
            if (boundary.Interval is not null) _sessionStatusDue = true;
            sessions.Flush();
        }
        if ((_tables & ReportTables.Flows) != 0)
        {
            // New flows per second: what the flow table inserted since the last second closed.
            _counters[CounterSlots.NewFlows] = _reports.NewFlows - _newFlowsBefore;
            _newFlowsBefore = _reports.NewFlows;
        }
        ReportSet? reports = null;
        if (boundary.Interval is not null)
        {
            reports = _reports;
            _reports = _partitionReports.After(boundary.Sequence);
            // Before the handover: once every thread of the partition has posted, the merger changes the old set.
            _reports.ReserveLike(reports, _tables);
            _newFlowsBefore = 0;
        }
        _merger.Post(new WorkerHandover(_index, boundary, _counters, reports));
        _counters = new long[_slots];
    }
}

/// <summary>What one worker counted up to a boundary: its second counters and, at an interval's end, its tables.</summary>
internal sealed record WorkerHandover(int Worker, Boundary Boundary, long[] Counters, ReportSet? Reports);
