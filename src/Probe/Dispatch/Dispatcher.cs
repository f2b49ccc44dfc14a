using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Monitor.Probe.Capture;
using Monitor.Probe.Decode;
using Monitor.Probe.Merge;

namespace Monitor.Probe.Dispatch;

/// <summary>
/// The capture thread's side of the pipeline: per packet only the clock check, the symmetric pair hash
/// and a copy into the chosen partition's batch. Workers come in partitions of <c>tableGroups</c>
/// threads that split the report tables, and every thread of a partition counts each of its batches
/// (see <see cref="ReportTableGroups"/>). Offline the reader waits when a worker's queue is full, so
/// nothing is lost; live a full queue drops that batch and is counted (<c>queue.full</c>), never silent.
/// </summary>
internal sealed class Dispatcher : IPacketReceiver
{
    private readonly Worker[] _workers;
    private readonly int _groups;
    private readonly int _partitions;
    private readonly PacketBatch[] _current;
    private readonly bool _live;
    private readonly IntervalClock _clock;
    private readonly Func<CaptureStatistics?> _statistics;
    private readonly ProbeCounters _progress;
    private readonly PacketTaps _taps;
    private static readonly HashSet<int> DecodedLinkTypes =
    [
        LinkTypes.Null, LinkTypes.Ethernet, LinkTypes.RawDlt, LinkTypes.RawOpenBsd, LinkTypes.Raw, LinkTypes.Loop, LinkTypes.LinuxSll,
        LinkTypes.Ipv4, LinkTypes.Ipv6, LinkTypes.LinuxSll2,
    ];

    private readonly ILogger _logger;
    private readonly HashSet<int> _linkTypesWarned = [];
    private int _lastLinkType = -1;
    private long _sequence;
    private SourceCounts _second;
    private CaptureStatistics _lastStatistics;

    /// <param name="workers">Partition by partition: worker <c>p * tableGroups + g</c> counts group g of partition p.</param>
    public Dispatcher(Worker[] workers, IntervalClock clock, bool live, Func<CaptureStatistics?> statistics, ProbeCounters progress,
        PacketTaps taps, ILogger logger, int tableGroups = 1)
    {
        if (tableGroups < 1 || workers.Length % tableGroups != 0)
            throw new ArgumentException($"{workers.Length} workers do not split into groups of {tableGroups}", nameof(tableGroups));
        _logger = logger;
        _taps = taps;
        _workers = workers;
        _groups = tableGroups;
        _partitions = workers.Length / tableGroups;
        _clock = clock;
        _live = live;
        _statistics = statistics;
        _progress = progress;
        _current = new PacketBatch[_partitions];
        for (var i = 0; i < _partitions; i++) _current[i] = new PacketBatch();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Receive(in RawPacket packet)
    {
        if (packet.Ticks >= _clock.SecondEndTicks) Advance(packet.Ticks);
        if (packet.LinkType != _lastLinkType) NoteLinkType(packet.LinkType);

        var taps = _taps.Current;
        if (taps.Length != 0) _taps.Offer(taps, packet);

        var p = 0;
        if (_partitions > 1)
        {
            var hash = PacketDecoder.PairHash(packet.LinkType, packet.Data);
            p = (int)((hash ^ (hash >> 32)) % (uint)_partitions);
        }
        var batch = _current[p];
        if (!batch.TryAdd(packet))
        {
            Send(p, batch);
            batch = _current[p];
            batch.TryAdd(packet);
        }
        _progress.Packets++;
        _progress.Bytes += packet.WireLength;
    }

    public void Idle(DateTimeOffset now)
    {
        // Closes an idle second a little after the wall clock passes it, so that packets libpcap still
        // holds in its buffer for that second are counted in it.
        var ticks = now.UtcTicks - TimeSpan.TicksPerSecond;
        if (!_clock.Started) Advance(now.UtcTicks);
        else if (ticks >= _clock.SecondEndTicks) Advance(ticks);
    }

    /// <summary>Closes the running second and interval and stops the workers after their last batch.</summary>
    public void Finish()
    {
        if (_clock.Started) CloseSecond(closeInterval: true);
        for (var p = 0; p < _partitions; p++)
        {
            var batch = _current[p];
            batch.Boundary = Worker.Stop;
            EnqueueToAll(p, batch);
        }
    }

    private void NoteLinkType(int linkType)
    {
        _lastLinkType = linkType;
        if (!DecodedLinkTypes.Contains(linkType) && _linkTypesWarned.Add(linkType))
            _logger.LogWarning("Link type {LinkType} is not decoded; its packets are counted as L3 'other'", linkType);
    }

    private void Advance(long ticks)
    {
        if (!_clock.Started)
        {
            _clock.Start(ticks);
            _lastStatistics = _statistics() ?? default;
            return;
        }
        while (ticks >= _clock.SecondEndTicks)
        {
            var next = _clock.NextSecondStart(ticks);
            CloseSecond(closeInterval: next >= _clock.IntervalEndTicks);
            _clock.MoveTo(next);
        }
    }

    private void CloseSecond(bool closeInterval)
    {
        var statistics = _statistics();
        if (statistics is { } now)
        {
            _second = _second with
            {
                Received = now.Received - _lastStatistics.Received,
                Dropped = now.Dropped - _lastStatistics.Dropped,
                InterfaceDropped = now.InterfaceDropped - _lastStatistics.InterfaceDropped,
            };
            _lastStatistics = now;
            _progress.Dropped = now.Dropped;
        }
        var boundary = new Boundary(
            _sequence++,
            new DateTimeOffset(_clock.SecondStartTicks, TimeSpan.Zero),
            closeInterval ? new IntervalBounds(
                new DateTimeOffset(_clock.IntervalStartTicks, TimeSpan.Zero),
                new DateTimeOffset(_clock.IntervalEndTicks, TimeSpan.Zero)) : null,
            _second);
        _second = default;
        for (var p = 0; p < _partitions; p++)
        {
            var batch = _current[p];
            if (!_live && !closeInterval)
            {
                // Offline nobody waits for the second: it rides in the batch (see PacketBatch.SecondEnds).
                batch.EndSecond(boundary);
                continue;
            }
            batch.Boundary = boundary;
            // A boundary is never dropped, even live: every worker must hand over the same second.
            EnqueueToAll(p, batch);
            _current[p] = NextBatch(p);
        }
    }

    /// <summary>Gives the batch to every worker of the partition, waiting for room.</summary>
    private void EnqueueToAll(int p, PacketBatch batch)
    {
        batch.ShareWith(_groups);
        for (var g = 0; g < _groups; g++) _workers[p * _groups + g].Work.Enqueue(batch);
    }

    /// <summary>Whether every worker of the partition has room, so that all of them or none count a batch.</summary>
    private bool AllHaveRoom(int p)
    {
        for (var g = 0; g < _groups; g++)
            if (!_workers[p * _groups + g].Work.HasRoom) return false;
        return true;
    }

    private void Send(int p, PacketBatch batch)
    {
        if (_live)
        {
            if (!AllHaveRoom(p))
            {
                _second = _second with
                {
                    QueueFull = _second.QueueFull + 1,
                    QueueDroppedPackets = _second.QueueDroppedPackets + batch.Count,
                };
                _progress.QueueFull++;
                _progress.QueueDroppedPackets += batch.Count;
                batch.Reset();
                return;
            }
        }
        EnqueueToAll(p, batch);
        _current[p] = NextBatch(p);
    }

    /// <summary>A recycled batch from any worker of the partition (the last one done returns it), or a new one.</summary>
    private PacketBatch NextBatch(int p)
    {
        for (var g = 0; g < _groups; g++)
            if (_workers[p * _groups + g].Free.TryDequeue(out var batch)) return batch;
        return new PacketBatch();
    }
}
