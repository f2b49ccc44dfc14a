using System.Diagnostics;
using System.Globalization;
using Monitor.Probe.Tests.EndToEnd;

namespace Monitor.Probe.Tests.Decode;

/// <summary>
/// tshark's count of a capture by its outermost IP header, by the rules of shared/tools/oracle.py (the
/// first ip.src, else the first ipv6.src; transport from ip.proto / ipv6.nxt), run on captures the tests build.
/// </summary>
public static class TsharkOracle
{
    public static string? Executable { get; } = Find();

    private static string? Find()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(dir, "tshark");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    public static TsharkCounts Count(string capture)
    {
        var start = new ProcessStartInfo(Executable ?? throw new InvalidOperationException("tshark is not installed"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "-n", "-r", capture, "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
                     "-T", "fields", "-E", "separator=\t", "-E", "occurrence=f",
                     "-e", "frame.len", "-e", "ip.src", "-e", "ip.dst", "-e", "ip.proto",
                     "-e", "ipv6.src", "-e", "ipv6.dst", "-e", "ipv6.nxt",
                 })
        {
            start.ArgumentList.Add(argument);
        }
        using var tshark = Process.Start(start)!;
        var stderr = tshark.StandardError.ReadToEndAsync();
        var output = tshark.StandardOutput.ReadToEnd();
        if (!tshark.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            tshark.Kill();
            throw new TimeoutException($"tshark did not finish reading {capture}");
        }
        if (tshark.ExitCode != 0) throw new InvalidOperationException($"tshark exited {tshark.ExitCode}: {stderr.Result}");

        long packets = 0, bytes = 0;
        var protocols = new SortedDictionary<string, (long Packets, long Bytes)>(StringComparer.Ordinal);
        var talkers = new SortedDictionary<string, Talker>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var c = line.Split('\t');
            Array.Resize(ref c, 7);
            var length = long.Parse(c[0], CultureInfo.InvariantCulture);
            packets++;
            bytes += length;
            string source, destination, key;
            if (!string.IsNullOrEmpty(c[1]))
            {
                (source, destination) = (c[1], c[2]!);
                key = c[3] switch { "6" => "tcp", "17" => "udp", "1" => "icmp", _ => "other" };
            }
            else if (!string.IsNullOrEmpty(c[4]))
            {
                (source, destination) = (c[4], c[5]!);
                key = c[6] switch { "6" => "tcp", "17" => "udp", "58" => "icmpv6", _ => "other" };
            }
            else
            {
                continue;
            }
            var (p, b) = protocols.GetValueOrDefault(key);
            protocols[key] = (p + 1, b + length);
            foreach (var ip in new HashSet<string> { source, destination })
            {
                talkers[ip] = talkers.TryGetValue(ip, out var t)
                    ? t with { Packets = t.Packets + 1, Bytes = t.Bytes + length }
                    : new Talker(ip, 1, length);
            }
        }
        return new TsharkCounts(packets, bytes, protocols, talkers);
    }
}

/// <summary>Totals, packets and bytes per outermost transport, and per-address talkers.</summary>
public sealed record TsharkCounts(
    long Packets,
    long Bytes,
    IReadOnlyDictionary<string, (long Packets, long Bytes)> Protocols,
    IReadOnlyDictionary<string, Talker> Talkers);

/// <summary>A fact that runs only where tshark is installed (scripts/ensure-deps.sh test installs it).</summary>
public sealed class TsharkFactAttribute : FactAttribute
{
    public TsharkFactAttribute()
    {
        if (TsharkOracle.Executable is null) Skip = "tshark is not installed";
    }
}

/// <summary>A theory that runs only where tshark is installed.</summary>
public sealed class TsharkTheoryAttribute : TheoryAttribute
{
    public TsharkTheoryAttribute()
    {
        if (TsharkOracle.Executable is null) Skip = "tshark is not installed";
    }
}
