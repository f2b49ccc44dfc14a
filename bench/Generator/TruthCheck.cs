using System.Text.Json;
using PacketDotNet;
using SharpPcap;
using SharpPcap.LibPcap;

namespace Monitor.Bench.Generator;

/// <summary>
/// Re-reads a generated capture with libpcap and PacketDotNet (the reference decoder) and compares
/// totals, the protocol mix and every host's counters with the truth file the generator wrote.
/// </summary>
internal static class TruthCheck
{
    public static int Run(string capture)
    {
        using var truthJson = JsonDocument.Parse(File.ReadAllText(capture + ".truth.json"));
        var truth = truthJson.RootElement;
        long packets = 0, bytes = 0, tcp = 0, udp = 0, icmp = 0, icmpV6 = 0, otherIp = 0, nonIp = 0, v4 = 0, v6 = 0;
        var hosts = new Dictionary<string, long[]>();
        long[] Host(string a) => hosts.TryGetValue(a, out var c) ? c : hosts[a] = new long[5];

        using var device = new CaptureFileReaderDevice(capture);
        device.Open();
        while (device.GetNextPacket(out var e) == GetPacketStatus.PacketRead)
        {
            var raw = e.GetPacket();
            packets++;
            var wire = e.Header is PcapHeader header ? (long)header.PacketLength : raw.PacketLength;
            bytes += wire;
            var ip = Packet.ParsePacket(raw.LinkLayerType, raw.Data).Extract<IPPacket>();
            if (ip is null)
            {
                nonIp++;
                continue;
            }
            if (ip.Version == IPVersion.IPv4) v4++;
            else v6++;
            switch (ip.Protocol)
            {
                case ProtocolType.Tcp: tcp++; break;
                case ProtocolType.Udp: udp++; break;
                case ProtocolType.Icmp: icmp++; break;
                case ProtocolType.IcmpV6: icmpV6++; break;
                default: otherIp++; break;
            }
            var src = Host(ip.SourceAddress.ToString());
            var dst = Host(ip.DestinationAddress.ToString());
            src[0]++;
            src[1] += wire;
            dst[2]++;
            dst[3] += wire;
            if (ip.Protocol == ProtocolType.Tcp && ip.PayloadPacket is TcpPacket t && t.Synchronize && !t.Acknowledgment) src[4]++;
        }

        var failures = new List<string>();
        void Same(string what, long expected, long actual)
        {
            if (expected != actual) failures.Add($"{what}: truth {expected}, capture {actual}");
        }
        Same("packets", truth.GetProperty("packets").GetInt64(), packets);
        Same("bytes", truth.GetProperty("bytes").GetInt64(), bytes);
        Same("ipv4", truth.GetProperty("ipv4_packets").GetInt64(), v4);
        Same("ipv6", truth.GetProperty("ipv6_packets").GetInt64(), v6);
        Same("tcp", truth.GetProperty("tcp").GetProperty("packets").GetInt64(), tcp);
        Same("udp", truth.GetProperty("udp").GetProperty("packets").GetInt64(), udp);
        Same("icmp", truth.GetProperty("icmp").GetProperty("packets").GetInt64(), icmp);
        Same("icmpv6", truth.GetProperty("icmp_v6").GetProperty("packets").GetInt64(), icmpV6);
        Same("other ip", truth.GetProperty("other_ip").GetProperty("packets").GetInt64(), otherIp);
        Same("non-ip", truth.GetProperty("non_ip").GetProperty("packets").GetInt64(), nonIp);
        var truthHosts = truth.GetProperty("hosts");
        Same("hosts", truthHosts.GetArrayLength(), hosts.Count);
        foreach (var h in truthHosts.EnumerateArray())
        {
            var address = h.GetProperty("address").GetString()!;
            var c = Host(address);
            Same($"{address} packets_sent", h.GetProperty("packets_sent").GetInt64(), c[0]);
            Same($"{address} bytes_sent", h.GetProperty("bytes_sent").GetInt64(), c[1]);
            Same($"{address} packets_received", h.GetProperty("packets_received").GetInt64(), c[2]);
            Same($"{address} bytes_received", h.GetProperty("bytes_received").GetInt64(), c[3]);
            Same($"{address} syn_sent", h.GetProperty("syn_sent").GetInt64(), c[4]);
        }
        foreach (var f in failures.Take(20)) Console.Error.WriteLine($"mismatch: {f}");
        Console.WriteLine($"checked {packets:N0} packets and {hosts.Count:N0} hosts against the truth: " +
                          (failures.Count == 0 ? "all equal" : $"{failures.Count} mismatches"));
        return failures.Count == 0 ? 0 : 1;
    }
}
