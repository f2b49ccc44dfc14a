namespace Monitor.Probe.Capture;

/// <summary>A frame as read from a file or the wire; Data is valid only during the Receive call.</summary>
public readonly ref struct RawPacket(long ticks, int wireLength, int linkType, ReadOnlySpan<byte> data)
{
    /// <summary>Packet time in UTC ticks (100 ns).</summary>
    public long Ticks { get; } = ticks;
    /// <summary>Original length on the wire; Data may be shorter (snap length).</summary>
    public int WireLength { get; } = wireLength;
    /// <summary>libpcap DLT of this packet (pcapng interfaces may differ).</summary>
    public int LinkType { get; } = linkType;
    public ReadOnlySpan<byte> Data { get; } = data;
}

/// <summary>Gets every packet a source reads, on the source's (capture) thread.</summary>
public interface IPacketReceiver
{
    void Receive(in RawPacket packet);

    /// <summary>
    /// Called by live sources at least every 100 ms even when no packet arrives, with the wall clock,
    /// so idle seconds and intervals still close.
    /// </summary>
    void Idle(DateTimeOffset now);
}

/// <summary>libpcap's counters of a live capture.</summary>
public readonly record struct CaptureStatistics(long Received, long Dropped, long InterfaceDropped);

/// <summary>
/// Where packets come from: capture files read in order, or a live interface through SharpPcap.
/// Run blocks on the calling thread until the input ends or the token is cancelled.
/// Damaged input throws <see cref="CaptureFileException"/> after every whole packet before it was delivered.
/// </summary>
public interface IPacketSource : IDisposable
{
    string Description { get; }

    void Run(IPacketReceiver receiver, CancellationToken cancellationToken);

    /// <summary>For live capture: libpcap's counters so far; null for files.</summary>
    CaptureStatistics? Statistics { get; }
}

/// <summary>A capture file that cannot be read further: names the file and the byte offset of the damage.</summary>
public sealed class CaptureFileException(string file, long offset, string problem)
    : Exception($"{file}: {problem} at byte offset {offset}")
{
    public string File { get; } = file;
    public long Offset { get; } = offset;
}
