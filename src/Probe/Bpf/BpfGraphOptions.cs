namespace Monitor.Probe.Bpf;

/// <summary>
/// One user graph, as Ourmon's <c>bpf</c> directive: named libpcap expressions drawn together, plus an
/// "other" line for packets that match none of them. Configuration section <c>Probe:Bpf</c> (an array).
/// </summary>
public sealed class BpfGraphOptions
{
    public string Name { get; set; } = "";
    /// <summary><c>packets</c> or <c>bytes</c> (wire length).</summary>
    public string Unit { get; set; } = "packets";
    public List<BpfLineOptions> Lines { get; set; } = [];
}

public sealed class BpfLineOptions
{
    public string Name { get; set; } = "";
    /// <summary>A libpcap filter expression, e.g. <c>tcp port 80</c>.</summary>
    public string Filter { get; set; } = "";
}
