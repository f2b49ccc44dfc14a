using Monitor.Probe.Tests.Capture;

namespace Monitor.Probe.Tests.EndToEnd;

/// <summary>
/// Every shared capture with a tshark oracle, read by the probe with one interval holding the file:
/// packets and bytes equal capinfos, talkers equal tshark's endpoints, and the TCP/UDP/ICMP packet
/// counts equal the oracle's outer-header protocol mix.
/// </summary>
/// <remarks>
/// Where tshark counts differently, on purpose:
/// - tshark's io,stat counts a frame under tcp/udp when that header appears at any depth (ICMP errors
///   quoting a UDP datagram, tunnels); the probe counts by the outermost IP header, so the comparison
///   is against the oracle's outer-header mix (section 3), never against io,stat.
/// - tshark puts IPv6 packets whose first next-header is hop-by-hop under "other"; the probe follows the
///   extension headers to the final protocol (MLD reports count as ICMPv6), so "other" and "icmpv6" are
///   not compared.
/// - Damaged files: tshark and capinfos stop at the damage as the probe does; their counts are the whole
///   packets before it, which is what the probe must have counted when it exits with code 2.
/// </remarks>
public sealed class OracleTests
{
    /// <summary>
    /// Captures where libpcap (and so tcpdump and the probe) reads differently from tshark, with why:
    /// ndpi-fuzz's only record claims 524501 captured bytes; tshark's wiretap reads it as a packet, but
    /// libpcap refuses a record longer than its 262144-byte maximum ("Invalid header: len(524501) > 262144"
    /// in tcpdump), so the damage is at byte offset 24 and no whole packet precedes it.
    /// </summary>
    private static readonly Dictionary<string, (long Packets, long Bytes)> LibpcapReads = new()
    {
        ["ndpi-fuzz-2021-10-13.pcap"] = (0, 0),
    };

    public static TheoryData<string> Captures()
    {
        var data = new TheoryData<string>();
        foreach (var name in SharedPcaps.WithOracle()) data.Add(name);
        if (data.Count == 0) data.Add("");
        return data;
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public async Task Probe_counts_every_shared_capture_as_its_oracle_does(string capture)
    {
        if (capture.Length == 0) return; // ../shared/pcaps is not on this machine
        var oracle = SharedPcaps.OracleOf(capture);

        var run = await ProbeRun.ReadAsync([SharedPcaps.PathOf(capture)], "--workers", "2");

        Assert.True(run.ExitCode == (oracle.Damaged ? 2 : 0), $"exit code {run.ExitCode}: {run.Stderr}");
        var (packets, bytes) = LibpcapReads.GetValueOrDefault(capture, (oracle.Packets, oracle.Bytes));
        Assert.Equal(packets, run.Packets);
        Assert.Equal(bytes, run.Bytes);
        if (LibpcapReads.ContainsKey(capture)) return;
        foreach (var protocol in new[] { "tcp", "udp", "icmp" })
            Assert.True(oracle.Protocols.GetValueOrDefault(protocol) == run.ProtocolPackets(protocol),
                $"{protocol}: oracle {oracle.Protocols.GetValueOrDefault(protocol)}, probe {run.ProtocolPackets(protocol)}");

        var talkers = run.Talkers();
        foreach (var expected in oracle.Talkers)
        {
            Assert.True(talkers.TryGetValue(expected.Ip, out var actual), $"talker {expected.Ip} missing");
            Assert.Equal(expected, actual);
        }
        // The oracle's list is the top of tshark's endpoints; nobody the probe ranks above its last row may be missing.
        if (oracle.Talkers.Count > 0)
        {
            var listed = oracle.Talkers.Select(t => t.Ip).ToHashSet();
            var floor = oracle.Talkers.Min(t => t.Bytes);
            var unlisted = talkers.Values.Where(t => !listed.Contains(t.Ip) && t.Bytes > floor).ToList();
            Assert.True(unlisted.Count == 0, $"talkers missing from the oracle: {string.Join(", ", unlisted)}");
        }
    }

    [SharedCapturesFact]
    public async Task A_damaged_capture_exits_2_naming_file_and_offset_after_writing_what_it_counted()
    {
        const string capture = "surv-pgsql-5000-query-results.pcap";
        var oracle = SharedPcaps.OracleOf(capture);

        var run = await ProbeRun.RunAsync("--read", SharedPcaps.PathOf(capture), "--interval", "1", "--store", "none");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(oracle.Packets, run.Packets);
        Assert.True(run.Intervals.Count > 1);
        var error = run.Stderr.Split('\n').Single(l => l.Contains("error:"));
        Assert.Contains(capture, error);
        Assert.Contains("offset", error);
    }
}
