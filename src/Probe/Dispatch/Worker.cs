using System.Runtime.CompilerServices;
using Monitor.Probe.Bpf;
using Monitor.Probe.Decode;
using Monitor.Probe.Counting;
using Monitor.Probe.Merge;
using Monitor.Probe.Reports;
using Monitor.Probe.Sessions;

namespace Monitor.Probe.Dispatch;

/// <summary>
/// One counting thread: counts every packet of the batches its queue delivers (decoded by the capture thread) into
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
    private readonly IMergeInbox _merger;
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
    private long _evictedBefore;
    // Seconds (and an interval) closed and not yet given to the merger.
    private List<WorkerHandover> _closed = new();
    private Thread? _thread;

    public Worker(int index, int queueCapacity, IMergeInbox merger, BpfGraphSet bpf, PartitionReports reports,
        ReportTables tables = ReportTables.All, SessionTable? sessions = null)
    {
        _index = index;
        _sessions = sessions;
        _lookahead = new LookaheadCounter(tables, sessions);
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
                var from = 0;
                foreach (var end in batch.SecondEnds)
                {
                    CountBatch(batch, from, end.Packets);
                    HandOver(end.Boundary);
                    from = end.Packets;
                }
                CountBatch(batch, from, batch.Count);
                var boundary = batch.Boundary;
                Recycle(batch);
                if (!ReferenceEquals(boundary, Stop) && boundary is not null) HandOver(boundary);
                // What the batch closed goes to the merger together: one hand-off per batch, not per second.
                PostClosed();
                if (ReferenceEquals(boundary, Stop))
                {
                    _sessions?.Close();
                    return;
                }
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
    private void CountBatch(PacketBatch batch, int from, int to)
    {
        var counters = _counters;
        var reports = _reports;
        var lookahead = _lookahead;
        var traffic = _countsTraffic;
        var bpf = traffic && _bpf.SlotCount > 0;
        var inspects = (_tables & ReportTables.Others) != 0;
        var packets = batch.Decoded;
        for (var i = from; i < to; i++)
        {
            ref readonly var decoded = ref packets[i];
            if (traffic) CounterSlots.Count(counters, decoded);
            if (bpf) _bpf.Count(counters, CounterSlots.Fixed, batch[i]);
            // Payload signatures and IRC: only segments with captured payload, and only those whose first byte may match
            // (known from the decode: reading it from the frame was a cache miss per payload on this thread).
            if (inspects && decoded.PayloadCaptured > 0 && AppSignatures.MayMatch(decoded.PayloadFirstByte))
                reports.Inspect(decoded, decoded.Payload(batch[i].Data));
            lookahead.Commit(reports, packets, i);
        }
        // Counted up to a second's end (or the batch's): the tables change hands only at one.
        lookahead.Flush(reports, packets, to);
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
        if (boundary.Interval is null)
        {
            _closed.Add(new WorkerHandover(_index, boundary, _counters, null));
            _counters = new long[_slots];
            return;
        }
        // Read before the handover: once every thread of the partition has posted, the merger changes the old set.
        var reports = _reports;
        if (_sessions is { } table)
        {
            reports.NoteSessions(table.Capacity, table.Open, table.EvictedEarly - _evictedBefore);
            _evictedBefore = table.EvictedEarly;
        }
        var shape = reports.Shape(_tables);
        // Posted before renting the next set, which may wait until the merger gives one back: the merger
        // can only do that once every worker has posted this boundary.
        _closed.Add(new WorkerHandover(_index, boundary, _counters, reports));
        PostClosed();
        _counters = new long[_slots];
        _reports = _partitionReports.After(boundary.Sequence);
        _reports.Reserve(shape);
        _newFlowsBefore = 0;
    }

    private void PostClosed()
    {
        if (_closed.Count == 0) return;
        _merger.Post(_closed);
        _closed = new List<WorkerHandover>();
    }
}
