namespace Monitor.Web.Features.Packets;

/// <summary>
/// Settings of <c>/api/pcap</c>, section <c>Packets</c>: the caps of one download, where each probe's
/// recording is on this machine, and which probes record on other machines behind their own site. The
/// site's own probe (<c>Probe:Name</c>) is found at <c>Probe:Record</c> unless named here.
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
    /// <summary>Probe name → the site on the probe's machine that serves its recording (<c>Packets:Remote:NAME</c>).</summary>
    public Dictionary<string, RemoteRecording> Remote { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Whether a download for this probe can be answered here, from a local or a remote recording.</summary>
    public bool Records(string probe) => Recordings.ContainsKey(probe) || Remote.ContainsKey(probe);

    /// <summary>Every bad setting, each naming its key.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxBytes < 1 << 20) errors.Add($"Packets:MaxBytes must be at least 1 MiB, not {MaxBytes}");
        if (MaxPackets < 1) errors.Add($"Packets:MaxPackets must be at least 1, not {MaxPackets}");
        if (MaxRange <= TimeSpan.Zero) errors.Add($"Packets:MaxRange must be positive, not {MaxRange}");
        foreach (var (probe, directory) in Recordings)
            if (string.IsNullOrWhiteSpace(directory)) errors.Add($"Packets:Recordings:{probe} must name a directory");
        foreach (var (probe, remote) in Remote)
        {
            if (remote.BaseUri is null)
                errors.Add($"Packets:Remote:{probe}:Url must be an absolute http or https URL of the probe's site, not '{remote.Url}'");
            if (string.IsNullOrWhiteSpace(remote.ApiKey))
                errors.Add($"Packets:Remote:{probe}:ApiKey is required: an API key of the probe's site (its Auth:ApiKeys)");
            if (Recordings.ContainsKey(probe))
                errors.Add($"Packets:Remote:{probe}: probe {probe} already records on this machine (Probe:Record or Packets:Recordings:{probe})");
        }
        return errors;
    }
}

/// <summary>
/// A probe that records on another machine, where its own site serves the recording at <c>/api/pcap</c>
/// behind its own API key (<c>Packets:Remote:NAME:Url</c>, <c>Packets:Remote:NAME:ApiKey</c>).
/// </summary>
public sealed class RemoteRecording
{
    /// <summary>Base URL of the probe's site, e.g. <c>https://probe-b.example.org:5080</c> (a path base is kept).</summary>
    public string? Url { get; set; }
    /// <summary>The API key this site presents to the probe's site.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The URL as a base for relative paths (ending in '/'); null when it is not an absolute http(s) URL.</summary>
    public Uri? BaseUri =>
        Uri.TryCreate(Url?.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0
            ? new Uri(uri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/")
            : null;
}
