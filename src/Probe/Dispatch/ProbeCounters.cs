namespace Monitor.Probe.Dispatch;

/// <summary>
/// Running totals the capture thread keeps for progress and status. Written by that thread only;
/// others read them (64-bit reads are atomic), so no lock is taken per packet.
/// </summary>
public sealed class ProbeCounters
{
    public long Packets;
    public long Bytes;
    public long Dropped;
    public long QueueFull;
    public long QueueDroppedPackets;
}
