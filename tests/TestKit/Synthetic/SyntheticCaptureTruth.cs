namespace Monitor.TestKit.Synthetic;

/// <summary>What a generated capture holds, counted while it was written (wire lengths, outermost IP header).</summary>
public sealed record SyntheticCaptureTruth
{
    public required long Packets { get; init; }
    /// <summary>Sum of wire (original) lengths, as tshark's frame.len.</summary>
    public required long Bytes { get; init; }
    public required long CapturedBytes { get; init; }
    public required DateTimeOffset First { get; init; }
    public required DateTimeOffset Last { get; init; }

    public required long Ipv4Packets { get; init; }
    public required long Ipv6Packets { get; init; }
    public required long ArpPackets { get; init; }
    public required long VlanTaggedPackets { get; init; }
    public required long QinQPackets { get; init; }
    public required long BroadcastPackets { get; init; }
    public required long MulticastPackets { get; init; }

    public required ProtocolTruth Tcp { get; init; }
    public required ProtocolTruth Udp { get; init; }
    public required ProtocolTruth Icmp { get; init; }
    public required ProtocolTruth IcmpV6 { get; init; }
    /// <summary>IP packets of any other protocol (ESP here).</summary>
    public required ProtocolTruth OtherIp { get; init; }
    /// <summary>Frames without IP (ARP here).</summary>
    public required ProtocolTruth NonIp { get; init; }

    /// <summary>Connections opened by ordinary clients (their first SYN); scans not included.</summary>
    public required long TcpConnections { get; init; }
    public required long DnsQueries { get; init; }
    public required long EchoRequests { get; init; }
    public required long IcmpErrors { get; init; }

    /// <summary>Null when the capture was generated without attacks.</summary>
    public required AttackTruth? Attacks { get; init; }

    /// <summary>Every IP address that sent or received a packet, sorted by bytes (sent + received), largest first.</summary>
    public required IReadOnlyList<HostTruth> Hosts { get; init; }

    /// <summary>Intervals aligned to multiples of their length in UTC, as the probe closes them.</summary>
    public required IReadOnlyList<IntervalTruth> Intervals { get; init; }

    public IEnumerable<HostTruth> TopTalkers(int count) => Hosts.Take(count);

    public HostTruth Host(string address) => Hosts.Single(h => h.Address == address);
}

public sealed record ProtocolTruth(long Packets, long Bytes);

/// <summary>One address's traffic in the terms of the talkers, syn and udp reports.</summary>
public sealed record HostTruth(
    string Address,
    long PacketsSent, long BytesSent, long PacketsReceived, long BytesReceived,
    long TcpSent, long TcpReceived, long SynSent, long SynAckSent, long FinSent, long RstSent, long RstReceived,
    long UdpSent, long UdpReceived, long IcmpErrorsReceived)
{
    public long Packets => PacketsSent + PacketsReceived;
    public long Bytes => BytesSent + BytesReceived;

    /// <summary>Ourmon's work weight in percent: (SYN sent + FIN sent + RST received) / TCP packets sent and received.</summary>
    public double WorkWeight => TcpSent + TcpReceived == 0 ? 0 : 100.0 * (SynSent + FinSent + RstReceived) / (TcpSent + TcpReceived);

    /// <summary>Ourmon's UDP weight: (sent − received) × ICMP errors received.</summary>
    public long UdpWeight => (UdpSent - UdpReceived) * IcmpErrorsReceived;
}

public sealed record IntervalTruth(DateTimeOffset Start, DateTimeOffset End, long Packets, long Bytes,
    long TcpPackets, long UdpPackets, long IcmpPackets, long IcmpV6Packets);

/// <summary>The scan, sweep and flood a capture holds, with their addresses.</summary>
public sealed record AttackTruth(
    string Scanner, string ScanTarget, long ScanSyns, int ScanDistinctPorts, long ScanOpenPorts,
    string Sweeper, int SweepDistinctDestinations, long SweepReplies,
    string Flooder, string FloodVictim, long FloodUdpPackets, long FloodUdpBytes, long FloodPortUnreachables);
