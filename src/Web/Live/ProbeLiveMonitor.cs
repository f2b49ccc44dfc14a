using Monitor.Probe.Hosting;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Web.Live;

/// <summary>The in-process probe's feed as the site's live source.</summary>
public sealed class ProbeLiveMonitor(ProbeLiveFeed feed, Microsoft.Extensions.Options.IOptions<ProbeOptions> options) : ILiveMonitor
{
    public event Action<SecondPoint>? SecondClosed
    {
        add => feed.SecondClosed += value;
        remove => feed.SecondClosed -= value;
    }

    public event Action<IntervalSnapshot>? IntervalClosed
    {
        add => feed.IntervalClosed += value;
        remove => feed.IntervalClosed -= value;
    }

    public IReadOnlyList<SecondPoint> RecentSeconds => feed.RecentSeconds;

    public IntervalSnapshot? LastInterval => feed.LastInterval;

    public LiveProbeStatus? Status
    {
        get
        {
            var s = feed.Status;
            return new LiveProbeStatus(options.Value.Name, s.State.ToString().ToLowerInvariant(), s.Source ?? "",
                s.Packets, s.Drops, s.QueueFull, s.LastError);
        }
    }
}
