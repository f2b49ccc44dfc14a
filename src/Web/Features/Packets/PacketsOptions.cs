namespace Monitor.Web.Features.Packets;

/// <summary>
/// Settings of <c>/api/pcap</c>, section <c>Packets</c>: the caps of one download and where each probe's
/// recording is. The site's own probe (<c>Probe:Name</c>) is found at <c>Probe:Record</c> unless named here.
/// </summary>
public sealed class PacketsOptions
{
    public const string Section = "Packets";

    /// <summary>Largest download in bytes (<c>Packets:MaxBytes</c>, default 1 GiB); the pcap ends cleanly at the cap.</summary>
    public long MaxBytes { get; set; } = 1L << 30;
    /// <summary>Most packets in one download (<c>Packets:MaxPackets</c>, default 1,000,000).</summary>
    public long MaxPackets { get; set; } = 1_000_000;
    /// <summary>Longest time range of one download (<c>Packets:MaxRange</c>, default 1 day).</summary>
    public TimeSpan MaxRange { get; set; } = TimeSpan.FromDays(1);
    /// <summary>Probe name → recording directory on this machine (<c>Packets:Recordings:NAME</c>).</summary>
    public Dictionary<string, string> Recordings { get; set; } = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxBytes < 1 << 20) errors.Add($"Packets:MaxBytes must be at least 1 MiB, not {MaxBytes}");
        if (MaxPackets < 1) errors.Add($"Packets:MaxPackets must be at least 1, not {MaxPackets}");
        if (MaxRange <= TimeSpan.Zero) errors.Add($"Packets:MaxRange must be positive, not {MaxRange}");
        foreach (var (probe, directory) in Recordings)
            if (string.IsNullOrWhiteSpace(directory)) errors.Add($"Packets:Recordings:{probe} must name a directory");
        return errors;
    }
}
