namespace Monitor.Probe.Sessions;

/// <summary>
/// The session table's bounds, bound from <c>Probe:SessionTable</c>. Timeouts default to Zeek's
/// (tcp_inactivity_timeout 5 min, udp/icmp 1 min, tcp_close_delay 5 s); the capacity is for the whole
/// probe and split between its partitions.
/// </summary>
public sealed class SessionOptions
{
    public const string Section = "Probe:SessionTable";

    /// <summary>Whether the probe keeps sessions at all (default on).</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>Sessions held open at once, all partitions together; past it the oldest idle one is written early.</summary>
    public int Capacity { get; set; } = 524_288;
    /// <summary>Seconds without a packet after which an open TCP session ends.</summary>
    public int TcpIdle { get; set; } = 300;
    /// <summary>Seconds a TCP session lingers after FIN from both sides or a RST, for late retransmissions.</summary>
    public int TcpClosed { get; set; } = 5;
    public int UdpIdle { get; set; } = 60;
    public int IcmpIdle { get; set; } = 60;
    /// <summary>Other IP protocols (GRE, ESP, …), by address pair.</summary>
    public int OtherIdle { get; set; } = 60;

    public IEnumerable<string> Validate()
    {
        if (Capacity is < 1024 or > 64 << 20)
            yield return $"{Section}:Capacity must be between 1024 and {64 << 20}, not {Capacity}";
        foreach (var (name, value) in new[] { ("TcpIdle", TcpIdle), ("TcpClosed", TcpClosed), ("UdpIdle", UdpIdle), ("IcmpIdle", IcmpIdle), ("OtherIdle", OtherIdle) })
            if (value is < 1 or > 86_400) yield return $"{Section}:{name} must be between 1 and 86400 seconds, not {value}";
    }
}
