using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Monitor.Probe.Cli;
using Monitor.Probe.Tests.EndToEnd;

namespace Monitor.Probe.Tests.Sessions;

/// <summary>
/// Every shared capture read with sessions on (30 s intervals, so long conversations also get status
/// records whose counts must add up): per TCP and UDP conversation, packets per direction equal
/// <c>tshark -q -z conv,tcp</c> / <c>conv,udp</c>, and bytes per direction equal tshark's frame.len sums
/// (conv prints large byte counts rounded to kB; those must agree within its rounding too).
/// </summary>
/// <remarks>
/// Conversations are compared by address and port pair, whatever the split into sessions (tshark
/// splits TCP streams its own way on port reuse). tshark is run with IP defragmentation off and
/// without frames that are ICMP: its conv tables count an ICMP error under the UDP conversation it
/// quotes, where the probe keeps the error in an ICMP session; later fragments carry no ports, and
/// the probe keeps them in a conversation of their own.
/// Skipped (passes without checking) where tshark or ../shared/pcaps is missing.
/// </remarks>
public sealed partial class TsharkConversationTests
{
    private const string NotIcmp = "not icmp and not icmpv6";

    public static TheoryData<string> Captures()
    {
        var data = new TheoryData<string>();
        if (Tshark is not null)
            foreach (var name in SharedPcaps.WithOracle().Where(n => !n.EndsWith(".pcapng", StringComparison.Ordinal))) data.Add(name); // the .pcapng copies hold the same packets
        if (data.Count == 0) data.Add("");
        return data;
    }

    private static readonly string? Tshark = File.Exists("/usr/bin/tshark") ? "/usr/bin/tshark" : null;

    [Theory]
    [MemberData(nameof(Captures))]
    public async Task Session_packets_and_bytes_per_direction_equal_tshark_conversations(string capture)
    {
        if (capture.Length == 0) return; // no tshark or no shared captures on this machine
        var path = SharedPcaps.PathOf(capture);
        var sessions = Path.Combine(Path.GetTempPath(), $"sessions-{Guid.NewGuid():N}.jsonl");
        try
        {
            var stderr = new StringWriter();
            var exit = await ProbeCli.RunAsync(["--read", path, "--store", "none", "--workers", "2", "--sessions", sessions],
                new StringWriter(), stderr);
            if (exit == 2) return; // a damaged capture: the oracle tests check what is read before the damage
            Assert.True(exit == 0, stderr.ToString());
            var ours = Sum(File.ReadLines(sessions));

            foreach (var (proto, field) in new[] { ("tcp", "tcp"), ("udp", "udp") })
            {
                var conv = Conversations(await RunTshark("-q", "-z", $"conv,{proto},{NotIcmp}", "-r", path));
                var exact = await ExactBytes(path, field);
                foreach (var (key, theirs) in conv)
                {
                    var mine = ours.GetValueOrDefault((proto, key.A, key.B));
                    var bytes = exact.GetValueOrDefault(key);
                    var where = $"{capture} {proto} {key.A} <-> {key.B}";
                    Assert.True(theirs.PacketsAB == mine.PacketsAB && theirs.PacketsBA == mine.PacketsBA,
                        $"{where}: tshark {theirs.PacketsAB}/{theirs.PacketsBA} packets, sessions {mine.PacketsAB}/{mine.PacketsBA}");
                    Assert.True(bytes.BytesAB == mine.BytesAB && bytes.BytesBA == mine.BytesBA,
                        $"{where}: tshark {bytes.BytesAB}/{bytes.BytesBA} bytes, sessions {mine.BytesAB}/{mine.BytesBA}");
                    Assert.True(Math.Abs(theirs.BytesAB - mine.BytesAB) <= theirs.RoundingAB && Math.Abs(theirs.BytesBA - mine.BytesBA) <= theirs.RoundingBA,
                        $"{where}: conv shows {theirs.BytesAB}/{theirs.BytesBA} bytes, sessions {mine.BytesAB}/{mine.BytesBA}");
                }
                var extra = ours.Keys.Where(k => k.Proto == proto && !conv.ContainsKey((k.A, k.B)) && !conv.ContainsKey((k.B, k.A))
                                                  && !k.A.EndsWith(":0", StringComparison.Ordinal)).ToList();
                Assert.True(extra.Count == 0, $"{capture}: sessions tshark does not list: {string.Join(", ", extra.Take(5))}");
            }
        }
        finally
        {
            File.Delete(sessions);
        }
    }

    /// <summary>Per direction, keyed so that A is the endpoint tshark lists first (both orders are stored).</summary>
    public record struct Counts(long PacketsAB, long BytesAB, long PacketsBA, long BytesBA, long RoundingAB = 0, long RoundingBA = 0);

    private static Dictionary<(string Proto, string A, string B), Counts> Sum(IEnumerable<string> lines)
    {
        var sums = new Dictionary<(string, string, string), Counts>();
        foreach (var line in lines)
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            var proto = r.GetProperty("proto").GetString()!;
            var a = Endpoint(r.GetProperty("src").GetString()!, r.GetProperty("sport").GetInt32());
            var b = Endpoint(r.GetProperty("dst").GetString()!, r.GetProperty("dport").GetInt32());
            long ps = r.GetProperty("packets_src").GetInt64(), bs = r.GetProperty("bytes_src").GetInt64();
            long pd = r.GetProperty("packets_dst").GetInt64(), bd = r.GetProperty("bytes_dst").GetInt64();
            var f = sums.GetValueOrDefault((proto, a, b));
            sums[(proto, a, b)] = f with { PacketsAB = f.PacketsAB + ps, BytesAB = f.BytesAB + bs, PacketsBA = f.PacketsBA + pd, BytesBA = f.BytesBA + bd };
            if (a == b) continue;
            var g = sums.GetValueOrDefault((proto, b, a));
            sums[(proto, b, a)] = g with { PacketsAB = g.PacketsAB + pd, BytesAB = g.BytesAB + bd, PacketsBA = g.PacketsBA + ps, BytesBA = g.BytesBA + bs };
        }
        return sums;
    }

    private static string Endpoint(string address, int port) => $"{address}:{port}";

    [GeneratedRegex(@"^(\S+):(\d+)\s+<->\s+(\S+):(\d+)\s+([\d,]+)\s+([\d,]+)\s+(bytes|kB|MB|GB)\s+([\d,]+)\s+([\d,]+)\s+(bytes|kB|MB|GB)\s")]
    private static partial Regex ConversationLine();

    /// <summary>tshark's rows, summed by endpoint pair; "&lt;-" is B to A, "-&gt;" A to B.</summary>
    private static Dictionary<(string A, string B), Counts> Conversations(string output)
    {
        var rows = new Dictionary<(string, string), Counts>();
        foreach (var line in output.Split('\n'))
        {
            var m = ConversationLine().Match(line);
            if (!m.Success) continue;
            var a = Endpoint(m.Groups[1].Value, int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
            var b = Endpoint(m.Groups[3].Value, int.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture));
            var (bytesBA, roundBA) = Bytes(m.Groups[6].Value, m.Groups[7].Value);
            var (bytesAB, roundAB) = Bytes(m.Groups[9].Value, m.Groups[10].Value);
            var row = new Counts(Number(m.Groups[8].Value), bytesAB, Number(m.Groups[5].Value), bytesBA, roundAB, roundBA);
            if (rows.TryGetValue((b, a), out var reverse))
            {
                rows[(b, a)] = reverse with
                {
                    PacketsAB = reverse.PacketsAB + row.PacketsBA, BytesAB = reverse.BytesAB + row.BytesBA,
                    PacketsBA = reverse.PacketsBA + row.PacketsAB, BytesBA = reverse.BytesBA + row.BytesAB,
                    RoundingAB = reverse.RoundingAB + roundBA, RoundingBA = reverse.RoundingBA + roundAB,
                };
                continue;
            }
            var f = rows.GetValueOrDefault((a, b));
            rows[(a, b)] = new Counts(f.PacketsAB + row.PacketsAB, f.BytesAB + row.BytesAB, f.PacketsBA + row.PacketsBA,
                f.BytesBA + row.BytesBA, f.RoundingAB + roundAB, f.RoundingBA + roundBA);
        }
        return rows;
    }

    private static long Number(string text) => long.Parse(text.Replace(",", ""), CultureInfo.InvariantCulture);

    /// <summary>conv's byte figure and how far it may be from the exact count (SI units, rounded).</summary>
    private static (long Bytes, long Rounding) Bytes(string value, string unit)
    {
        var scale = unit switch { "kB" => 1_000L, "MB" => 1_000_000L, "GB" => 1_000_000_000L, _ => 1L };
        return (Number(value) * scale, scale == 1 ? 0 : scale);
    }

    /// <summary>frame.len summed per direction by tshark itself, for the conversations conv lists.</summary>
    private static async Task<Dictionary<(string A, string B), Counts>> ExactBytes(string path, string proto)
    {
        var output = await RunTshark("-r", path, "-Y", $"{proto} and ({NotIcmp})", "-T", "fields", "-E", "occurrence=f", "-E", "separator=,",
            "-e", "frame.len", "-e", "ip.src", "-e", "ipv6.src", "-e", "ip.dst", "-e", "ipv6.dst", "-e", $"{proto}.srcport", "-e", $"{proto}.dstport");
        var sums = new Dictionary<(string, string), Counts>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split(',');
            var len = long.Parse(f[0], CultureInfo.InvariantCulture);
            var a = Endpoint(f[1].Length > 0 ? f[1] : f[2], int.Parse(f[5], CultureInfo.InvariantCulture));
            var b = Endpoint(f[3].Length > 0 ? f[3] : f[4], int.Parse(f[6], CultureInfo.InvariantCulture));
            var ab = sums.GetValueOrDefault((a, b));
            sums[(a, b)] = ab with { PacketsAB = ab.PacketsAB + 1, BytesAB = ab.BytesAB + len };
            if (a == b) continue;
            var ba = sums.GetValueOrDefault((b, a));
            sums[(b, a)] = ba with { PacketsBA = ba.PacketsBA + 1, BytesBA = ba.BytesBA + len };
        }
        return sums;
    }

    private static async Task<string> RunTshark(params string[] args)
    {
        var start = new ProcessStartInfo(Tshark!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE", "-n" }.Concat(args)) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        await stderr;
        return await stdout;
    }
}
