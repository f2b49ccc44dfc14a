using Monitor.Probe.Capture;

namespace Monitor.Probe.Dispatch;

/// <summary>
/// The taps attached to a probe. Attach and detach replace the array (copy-on-write), so the capture
/// thread reads it per packet without a lock.
/// </summary>
public sealed class PacketTaps
{
    private readonly Lock _gate = new();
    private IPacketTap[] _taps = [];

    internal IPacketTap[] Current => Volatile.Read(ref _taps);

    public IDisposable Attach(IPacketTap tap)
    {
        lock (_gate) Volatile.Write(ref _taps, [.. _taps, tap]);
        return new Handle(this, tap);
    }

    internal void Detach(IPacketTap tap)
    {
        lock (_gate) Volatile.Write(ref _taps, [.. _taps.Where(t => !ReferenceEquals(t, tap))]);
    }

    /// <summary>Offers a packet to every tap; a tap that declines or throws is detached.</summary>
    internal void Offer(IPacketTap[] taps, in RawPacket packet)
    {
        foreach (var tap in taps)
        {
            bool keep;
            try
            {
                keep = tap.Offer(packet);
            }
            catch (Exception)
            {
                keep = false;
            }
            if (!keep) Detach(tap);
        }
    }

    private sealed class Handle(PacketTaps owner, IPacketTap tap) : IDisposable
    {
        public void Dispose() => owner.Detach(tap);
    }
}
