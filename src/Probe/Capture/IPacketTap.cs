namespace Monitor.Probe.Capture;

/// <summary>
/// Sees every packet on the capture thread while attached (evidence captures). Offer must be quick:
/// it runs on the path of every packet. Returning false detaches the tap.
/// </summary>
public interface IPacketTap
{
    bool Offer(in RawPacket packet);
}
