using Monitor.Probe.Capture;

namespace Monitor.Probe.Tests.Capture;

/// <summary>A packet as a test keeps it (copied out of the source's buffer).</summary>
public sealed record CapturedPacket(long Ticks, int WireLength, int LinkType, byte[] Data);

/// <summary>Keeps copies of every packet a source delivers.</summary>
public sealed class CollectingReceiver : IPacketReceiver
{
    public List<CapturedPacket> Packets { get; } = new();
    public int IdleCalls { get; private set; }

    public void Receive(in RawPacket packet) =>
        Packets.Add(new CapturedPacket(packet.Ticks, packet.WireLength, packet.LinkType, packet.Data.ToArray()));

    public void Idle(DateTimeOffset now) => IdleCalls++;
}
