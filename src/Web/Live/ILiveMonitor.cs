using Monitor.Storage.Model.Snapshots;

namespace Monitor.Web.Live;

/// <summary>
/// What the dashboard draws live: the in-process probe's feed when the site runs one, otherwise the
/// newest points that separate probes wrote to the store.
/// </summary>
public interface ILiveMonitor
{
    event Action<SecondPoint>? SecondClosed;
    event Action<IntervalSnapshot>? IntervalClosed;

    /// <summary>The last ~10 minutes of 1-second points, oldest first.</summary>
    IReadOnlyList<SecondPoint> RecentSeconds { get; }

    IntervalSnapshot? LastInterval { get; }

    /// <summary>The in-process probe's counters; null when the site only reads a store.</summary>
    LiveProbeStatus? Status { get; }
}

/// <summary>The in-process probe's run state and counters so far (for /probes and /metrics).</summary>
public sealed record LiveProbeStatus(
    string Probe,
    string State,
    string Source,
    long Packets,
    long Drops,
    long QueueFull,
    string? LastError);
