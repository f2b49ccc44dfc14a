namespace Monitor.Storage.Spool;

/// <summary>The on-disk queue between a probe and its store (configuration section <c>Spool</c>).</summary>
public sealed class SpoolOptions
{
    public const string Section = "Spool";

    /// <summary>Folder of the spool files; one writer process at a time (a lock file guards it).</summary>
    public string Directory { get; set; } = "data/spool";

    /// <summary>Upper bound of the spool on disk; past it the oldest 1-second points go first, then the oldest items.</summary>
    public long MaxBytes { get; set; } = 512L * 1024 * 1024;

    public TimeSpan RetryMin { get; set; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan RetryMax { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The wait after <paramref name="wait"/> at a store that still refuses: twice as long, at most RetryMax.</summary>
    public TimeSpan NextRetry(TimeSpan wait) => TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, RetryMax.Ticks));

    /// <summary>How long DisposeAsync keeps delivering before it leaves the rest on disk for the next start.</summary>
    public TimeSpan FlushTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Most spooled 1-second batches sent to the store in one write.</summary>
    public int SecondsBatch { get; set; } = 300;

    /// <summary>Most spooled intervals sent to the store in one bulk write (a backlog after an outage goes in batches).</summary>
    public int IntervalsBatch { get; set; } = 200;

    /// <summary>
    /// Most intervals (with their 1-second points) a capture replay writes in one bulk write, and most it queues
    /// behind that write before the reader waits (<see cref="ReplayStoreWriter"/>). An hour of 30-second intervals:
    /// what waits for the store survives the young collections, so the queue is most of a replay's GC work and
    /// memory. Measured on bench/long-capture.sh's captures once the probe no longer forced collections when
    /// reading (2026-12-03): 120 as fast as 360 (day 3.46–3.79 s against 3.56–3.81 s, week 24.6–25.2 s against
    /// 23.8–26.0 s) at 300 instead of 340 MiB on the day and 350 instead of 430 MiB on the week; 1440 held 650 MiB.
    /// </summary>
    public int ReplayBatch { get; set; } = 120;

    /// <summary>fsync every spool file before Enqueue returns (turn off only for benchmarks).</summary>
    public bool Fsync { get; set; } = true;

    /// <summary>Throws one <see cref="ArgumentException"/> naming every bad setting (see <see cref="Problems"/>).</summary>
    public void Validate()
    {
        var problems = Problems();
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems));
    }

    /// <summary>Every problem with these settings, each naming its key (<c>Spool:…</c>); empty when valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Directory)) problems.Add($"{Section}:{nameof(Directory)} is required");
        if (MaxBytes < 64 * 1024) problems.Add($"{Section}:{nameof(MaxBytes)} must be at least 65536 (is {MaxBytes})");
        if (RetryMin <= TimeSpan.Zero || RetryMax < RetryMin)
            problems.Add($"{Section}:{nameof(RetryMin)} must be positive and not above {Section}:{nameof(RetryMax)} (are {RetryMin} and {RetryMax})");
        if (FlushTimeout < TimeSpan.Zero) problems.Add($"{Section}:{nameof(FlushTimeout)} cannot be negative (is {FlushTimeout})");
        if (SecondsBatch < 1) problems.Add($"{Section}:{nameof(SecondsBatch)} must be at least 1 (is {SecondsBatch})");
        if (IntervalsBatch < 1) problems.Add($"{Section}:{nameof(IntervalsBatch)} must be at least 1 (is {IntervalsBatch})");
        if (ReplayBatch < 1) problems.Add($"{Section}:{nameof(ReplayBatch)} must be at least 1 (is {ReplayBatch})");
        return problems;
    }

    /// <summary>These settings with another folder; a copy of every field, so none is lost on the way.</summary>
    public SpoolOptions WithDirectory(string directory)
    {
        var copy = (SpoolOptions)MemberwiseClone();
        copy.Directory = directory;
        return copy;
    }
}

/// <summary>What the spool holds and has done; Lost counts items it could not keep (spool full or unwritable, or refused by the store).</summary>
public sealed record SpoolStatus(
    int Pending,
    long PendingBytes,
    long Delivered,
    long Lost,
    bool StoreAvailable,
    string? LastError,
    DateTimeOffset? LastDelivery);
