using Monitor.Probe.Capture;

namespace Monitor.Probe.Evidence;

/// <summary>
/// Starts evidence captures on a packet stream (the in-process probe's live feed): names the file,
/// makes room under the disk budget (oldest files first), attaches the capture as a tap and stops
/// it after the time limit.
/// </summary>
public sealed class EvidenceRecorder(EvidenceStore store, Func<IPacketTap, IDisposable> attach, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly List<EvidenceCapture> _active = [];

    public EvidenceStore Store { get; } = store;

    public IReadOnlyList<EvidenceCapture> Active
    {
        get
        {
            // A finished capture leaves the list in a continuation; it is no longer active before that runs.
            lock (_lock) return [.. _active.Where(c => !c.Done)];
        }
    }

    /// <summary>Each capture may use at most this share of the budget, so that older evidence is not all evicted by one.</summary>
    public long PerCaptureBytes => Math.Max(64 * 1024, Store.MaxBytes / 4);

    /// <exception cref="CaptureFilterException">The expression does not compile.</exception>
    public EvidenceCapture Start(string rule, string host, string filter, int packets, TimeSpan maxTime)
    {
        Directory.CreateDirectory(Store.Directory);
        EvidenceCapture capture;
        lock (_lock)
        {
            Store.Trim(PerCaptureBytes, InUse());
            var path = Path.Combine(Store.Directory, Store.NewFileName(rule, host, time.GetUtcNow()));
            capture = new EvidenceCapture(path, filter, packets, PerCaptureBytes);
            // Reserve the name at once so that a second capture in the same second gets another.
            File.WriteAllBytes(path, []);
            _active.Add(capture);
        }
        var timer = time.CreateTimer(_ => capture.Stop("time limit"), null, maxTime, Timeout.InfiniteTimeSpan);
        var tap = attach(capture);
        capture.Attachment = new Detach(tap, timer);
        capture.Completion.ContinueWith(_ =>
        {
            lock (_lock)
            {
                _active.Remove(capture);
                Store.Trim(0, InUse());
            }
        }, TaskScheduler.Default);
        return capture;
    }

    public void StopAll(string reason)
    {
        foreach (var c in Active) c.Stop(reason);
    }

    private HashSet<string> InUse() => _active.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);

    private sealed class Detach(IDisposable tap, ITimer timer) : IDisposable
    {
        public void Dispose()
        {
            timer.Dispose();
            tap.Dispose();
        }
    }
}
