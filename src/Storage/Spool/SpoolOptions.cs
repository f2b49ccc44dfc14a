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

    /// <summary>How long DisposeAsync keeps delivering before it leaves the rest on disk for the next start.</summary>
    public TimeSpan FlushTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Most spooled 1-second batches sent to the store in one write.</summary>
    public int SecondsBatch { get; set; } = 300;

    /// <summary>Most spooled intervals sent to the store in one bulk write (a backlog after an outage goes in batches).</summary>
    public int IntervalsBatch { get; set; } = 200;

    /// <summary>fsync every spool file before Enqueue returns (turn off only for benchmarks).</summary>
    public bool Fsync { get; set; } = true;

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory)) throw new ArgumentException($"{Section}:{nameof(Directory)} is required");
        if (MaxBytes < 64 * 1024) throw new ArgumentException($"{Section}:{nameof(MaxBytes)} must be at least 65536 (is {MaxBytes})");
        if (RetryMin <= TimeSpan.Zero || RetryMax < RetryMin)
            throw new ArgumentException($"{Section}:{nameof(RetryMin)} must be positive and not above {nameof(RetryMax)}");
        if (FlushTimeout < TimeSpan.Zero) throw new ArgumentException($"{Section}:{nameof(FlushTimeout)} cannot be negative");
        if (SecondsBatch < 1) throw new ArgumentException($"{Section}:{nameof(SecondsBatch)} must be at least 1");
        if (IntervalsBatch < 1) throw new ArgumentException($"{Section}:{nameof(IntervalsBatch)} must be at least 1");
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
