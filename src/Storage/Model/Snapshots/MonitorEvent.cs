namespace Monitor.Storage.Model.Snapshots;

/// <summary>
/// Something that happened at a moment: probe start/stop, an alert fired or resolved, a spike found,
/// an evidence capture written. Details carry kind-specific values (series, peak, baseline, host, file).
/// Id is stable so that writing the same event twice keeps one copy.
/// </summary>
public sealed record MonitorEvent
{
    public required string Id { get; init; }
    public required string Probe { get; init; }
    public required DateTimeOffset Time { get; init; }
    /// <summary>One of <see cref="EventKinds"/>.</summary>
    public required string Kind { get; init; }
    public string Severity { get; init; } = "info";
    public required string Message { get; init; }
    public DateTimeOffset? End { get; init; }
    public IReadOnlyDictionary<string, string> Details { get; init; } = new Dictionary<string, string>();

    /// <summary>A warning that the store lost something the probe counted (never dropped silently).</summary>
    public static MonitorEvent StoreLoss(string probe, string message, IReadOnlyDictionary<string, string> details) => new()
    {
        Id = $"{EventKinds.StoreLoss}-{Guid.NewGuid():N}",
        Probe = probe,
        Time = DateTimeOffset.UtcNow,
        Kind = EventKinds.StoreLoss,
        Severity = "warning",
        Message = message,
        Details = details,
    };
}

public static class EventKinds
{
    public const string ProbeStart = "probe_start";
    public const string ProbeStop = "probe_stop";
    public const string Alert = "alert";
    public const string AlertResolved = "alert_resolved";
    public const string Spike = "spike";
    public const string Capture = "capture";
    public const string StoreLoss = "store_loss";
    /// <summary>The probe stopped on an error (bad input, a failed worker or sink); the message says which.</summary>
    public const string ProbeError = "probe_error";
    /// <summary>An interval in which the capture lost packets (kernel buffer, interface, full worker queues).</summary>
    public const string CaptureLoss = "capture_loss";

    /// <summary>Every kind the stores hold, in the order the event log offers them as filters.</summary>
    public static readonly IReadOnlyList<string> All =
        [ProbeStart, ProbeStop, ProbeError, CaptureLoss, StoreLoss, Alert, AlertResolved, Spike, Capture];
}

/// <summary>What a store knows of a probe: its last interval, counts and version.</summary>
public sealed record ProbeStatus(
    string Probe,
    DateTimeOffset? LastIntervalStart,
    DateTimeOffset? LastIntervalEnd,
    long LastPackets,
    double LastDrops,
    string? Version,
    DateTimeOffset? LastSeen);
