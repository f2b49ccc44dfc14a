using Monitor.Probe.Capture;
using Monitor.TestKit.Packets;

namespace Monitor.Probe.Tests.EndToEnd;

/// <summary>
/// A seeded capture whose truth is known: TCP, UDP and ICMP (v4 and v6, some VLAN-tagged) among a few
/// dozen documentation addresses, spread over a time range. Records what every interval must count.
/// </summary>
public sealed class SyntheticCapture
{
    public required string Path { get; init; }
    public required long Packets { get; init; }
    public required long Bytes { get; init; }
    public required IReadOnlyDictionary<string, long> ProtocolPackets { get; init; }
    public required IReadOnlyDictionary<string, Talker> Talkers { get; init; }
    /// <summary>Packets per aligned interval start (UTC), for the given interval length.</summary>
    public required IReadOnlyDictionary<DateTimeOffset, long> PacketsPerInterval { get; init; }

    public static SyntheticCapture Write(string path, int seed, int packets, DateTimeOffset start, TimeSpan span, TimeSpan interval)
    {
        var random = new Random(seed);
        var v4 = Enumerable.Range(1, 40).Select(i => $"192.0.2.{i}").Concat(Enumerable.Range(1, 20).Select(i => $"198.51.100.{i}")).ToArray();
        var v6 = Enumerable.Range(1, 10).Select(i => $"2001:db8::{i:x}").ToArray();
        var protocols = new Dictionary<string, long> { ["tcp"] = 0, ["udp"] = 0, ["icmp"] = 0, ["icmpv6"] = 0 };
        var talkers = new Dictionary<string, Talker>();
        var perInterval = new Dictionary<DateTimeOffset, long>();
        long bytes = 0;
        using var writer = new PcapFileWriter(path);
        var step = span.Ticks / packets;
        for (var i = 0; i < packets; i++)
        {
            var time = start.AddTicks(i * step + random.NextInt64(step));
            var ipv6 = random.Next(10) == 0;
            var pool = ipv6 ? v6 : v4;
            // Heavy-tailed: low indexes talk much more.
            var src = pool[(int)(pool.Length * Math.Pow(random.NextDouble(), 3))];
            var dst = pool[random.Next(pool.Length)];
            var vlans = random.Next(8) == 0 ? new ushort[] { (ushort)random.Next(1, 4000) } : null;
            var payload = random.Next(10) == 0 ? random.Next(600, 1400) : random.Next(0, 200);
            byte[] frame;
            string protocol;
            switch (random.Next(10))
            {
                case < 6:
                    frame = PacketBuilder.Tcp(src, dst, (ushort)random.Next(1024, 65535), (ushort)(random.Next(2) == 0 ? 80 : 443),
                        (byte)(random.Next(5) == 0 ? 0x02 : 0x10), payload, vlans);
                    protocol = "tcp";
                    break;
                case < 9:
                    frame = PacketBuilder.Udp(src, dst, (ushort)random.Next(1024, 65535), 53, payload, vlans);
                    protocol = "udp";
                    break;
                default:
                    frame = PacketBuilder.Icmp(src, dst, (byte)(ipv6 ? 128 : 8), 0, payload, null, vlans);
                    protocol = ipv6 ? "icmpv6" : "icmp";
                    break;
            }
            writer.Write(time, frame);
            protocols[protocol]++;
            bytes += frame.Length;
            Add(talkers, src, frame.Length);
            if (dst != src) Add(talkers, dst, frame.Length);
            var intervalStart = new DateTimeOffset(time.UtcTicks - time.UtcTicks % interval.Ticks, TimeSpan.Zero);
            perInterval[intervalStart] = perInterval.GetValueOrDefault(intervalStart) + 1;
        }
        return new SyntheticCapture
        {
            Path = path, Packets = packets, Bytes = bytes, ProtocolPackets = protocols, Talkers = talkers,
            PacketsPerInterval = perInterval,
        };
    }

    private static void Add(Dictionary<string, Talker> talkers, string ip, long bytes) =>
        talkers[ip] = talkers.TryGetValue(ip, out var t) ? t with { Packets = t.Packets + 1, Bytes = t.Bytes + bytes } : new Talker(ip, 1, bytes);
}
