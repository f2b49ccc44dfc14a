using Monitor.Probe.Capture;
using Monitor.Probe.Dispatch;
using Monitor.Probe.Merge;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Probe.Hosting;

public enum ProbeState { NotStarted, Running, Stopped, Failed }

/// <summary>What the probe is doing now, for the site's status page and the bench scripts.</summary>
public sealed record ProbeRunStatus(
    ProbeState State,
    string? Source,
    long Packets,
    long Bytes,
    long Drops,
    long QueueFull,
    long QueueDroppedPackets,
    int Workers,
    int IntervalsClosed,
    TimeSpan? LastMergeTime,
    string? LastError);

/// <summary>
/// The in-process view of a running probe: events for every closed second and interval, the last
/// ten minutes of second points, status, and taps on the packet stream. Events are raised on the
/// probe's merger thread; handlers must be quick and must not throw.
/// </summary>
public sealed class ProbeLiveFeed
{
    private const int RecentCapacity = 600;
    private readonly Lock _gate = new();
    private readonly Queue<SecondPoint> _recent = new(RecentCapacity);
    private ProbeCounters _counters = new();
    private ProbeState _state = ProbeState.NotStarted;
    private string? _source;
    private string? _lastError;
    private int _workers;
    private int _intervals;
    private TimeSpan? _lastMerge;

    public event Action<SecondPoint>? SecondClosed;

    public event Action<IntervalSnapshot>? IntervalClosed;

    public IntervalSnapshot? LastInterval { get; private set; }

    public IReadOnlyList<SecondPoint> RecentSeconds
    {
        get
        {
            lock (_gate) return [.. _recent];
        }
    }

    public ProbeRunStatus Status
    {
        get
        {
            lock (_gate)
            {
                var c = _counters;
                return new ProbeRunStatus(_state, _source, c.Packets, c.Bytes, c.Dropped, c.QueueFull,
                    c.QueueDroppedPackets, _workers, _intervals, _lastMerge, _lastError);
            }
        }
    }

    /// <summary>Taps on the capture thread's packet stream; survive restarts of the capture.</summary>
    internal PacketTaps Taps { get; } = new();

    public IDisposable AttachTap(IPacketTap tap) => Taps.Attach(tap);

    internal void Started(string source, int workers, ProbeCounters counters)
    {
        lock (_gate)
        {
            _state = ProbeState.Running;
            _source = source;
            _workers = workers;
            _counters = counters;
            _lastError = null;
        }
    }

    internal void Stopped(string? error)
    {
        lock (_gate)
        {
            _state = error is null ? ProbeState.Stopped : ProbeState.Failed;
            _lastError = error;
        }
    }

    internal void PublishSecond(SecondPoint point)
    {
        lock (_gate)
        {
            if (_recent.Count == RecentCapacity) _recent.Dequeue();
            _recent.Enqueue(point);
        }
        Raise(SecondClosed, point);
    }

    internal void PublishInterval(IntervalSnapshot snapshot, TimeSpan mergeTime)
    {
        lock (_gate)
        {
            _intervals++;
            _lastMerge = mergeTime;
        }
        LastInterval = snapshot;
        Raise(IntervalClosed, snapshot);
    }

    /// <summary>A failing subscriber must not stop the probe or starve the other subscribers.</summary>
    private static void Raise<T>(Action<T>? handlers, T value)
    {
        if (handlers is null) return;
        foreach (var handler in handlers.GetInvocationList())
        {
            try
            {
                ((Action<T>)handler)(value);
            }
            catch (Exception)
            {
                // The feed's contract: subscribers' faults are theirs; counting goes on.
            }
        }
    }
}
