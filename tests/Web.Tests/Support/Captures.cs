using Monitor.Probe.Capture;
using Monitor.TestKit.Packets;

namespace Monitor.Web.Tests.Support;

/// <summary>Captures for replay: a real one from ../shared/pcaps when present, otherwise one generated here.</summary>
public static class Captures
{
    public const string SharedName = "honeynet-Forensic_challenge_4.pcap";

    /// <summary>The shared captures folder found by walking up from the test's base directory, or null.</summary>
    public static string? SharedDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "pcaps");
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>
    /// The capture to replay and the addresses that talk in it (from the tshark oracle for the shared
    /// capture; by construction for the generated one).
    /// </summary>
    public static (string Path, IReadOnlyList<string> Talkers) ForReplay(string directory)
    {
        if (SharedDirectory() is { } shared && File.Exists(System.IO.Path.Combine(shared, SharedName)))
            return (System.IO.Path.Combine(shared, SharedName), ["172.25.105.40", "172.25.105.3", "172.25.105.43"]);
        var path = System.IO.Path.Combine(directory, "generated.pcap");
        Generate(path, new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(3));
        return (path, ["10.1.1.1", "192.0.2.80"]);
    }

    /// <summary>A web conversation and a DNS exchange, 20 packets a second, for the given time.</summary>
    public static void Generate(string path, DateTimeOffset start, TimeSpan length)
    {
        using var writer = new PcapFileWriter(path);
        var packets = (int)length.TotalSeconds * 20;
        for (var i = 0; i < packets; i++)
        {
            var t = start.AddMilliseconds(i * 50);
            var frame = (i % 4) switch
            {
                0 => PacketBuilder.Tcp("10.1.1.1", "192.0.2.80", 40000, 80, 0x18, payload: 200),
                1 => PacketBuilder.Tcp("192.0.2.80", "10.1.1.1", 80, 40000, 0x18, payload: 1200),
                2 => PacketBuilder.Udp("10.1.1.1", "198.51.100.53", 5353, 53, payload: 40),
                _ => PacketBuilder.Udp("198.51.100.53", "10.1.1.1", 53, 5353, payload: 120),
            };
            writer.Write(t, frame);
        }
    }
}
