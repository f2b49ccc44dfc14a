using Monitor.Probe.Capture;
using Monitor.TestKit.Packets;

namespace Monitor.Web.Tests.Features.Alerts;

/// <summary>
/// A generated UDP scan: in the first 10-second interval the scanner sends one UDP datagram to each
/// of Ports ports of the target, which answers each with an ICMP port unreachable. The scanner's UDP
/// weight is (sent − received) × ICMP errors received = Ports², 16,000,000 for 4,000 ports, above
/// Ourmon's 10,000,000. Ordinary DNS between two other hosts runs for QuietSeconds more, so later
/// intervals close without the scan.
/// </summary>
internal static class UdpScanCapture
{
    public const string Scanner = "192.0.2.7";
    public const string Target = "198.51.100.20";
    public const int Ports = 4000;
    public const long Weight = (long)Ports * Ports;
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    public static string Write(string path, int quietSeconds = 40)
    {
        using var writer = new PcapFileWriter(path);
        for (var i = 0; i < Ports; i++)
        {
            var t = Start.AddTicks(i * 20_000L);
            var probe = PacketBuilder.Udp(Scanner, Target, 40000, (ushort)(1 + i), 8);
            writer.Write(t, probe);
            writer.Write(t.AddTicks(5_000), PacketBuilder.Icmp(Target, Scanner, 3, 3, quote: PacketBuilder.IpPart(probe)[..28]));
        }
        for (var s = 0; s < quietSeconds * 2; s++)
        {
            var t = Start.AddSeconds(9 + s * 0.5);
            writer.Write(t, PacketBuilder.Udp("10.0.0.1", "10.0.0.2", 33000, 53, 30));
            writer.Write(t.AddMilliseconds(1), PacketBuilder.Udp("10.0.0.2", "10.0.0.1", 53, 33000, 60));
        }
        return path;
    }
}
