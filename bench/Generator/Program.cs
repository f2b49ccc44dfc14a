using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Monitor.TestKit.Synthetic;

// Writes the benchmark captures: the realistic mixed-traffic file, or a spoofed SYN flood.
// The truth of what was written goes next to the capture as FILE.truth.json.
const string usage = """
    usage: monitor-bench-generator [--packets N] [--duration SECONDS] [--start ISO-TIME] [--seed S] [--snaplen N] --out FILE
           monitor-bench-generator --syn-flood [--sources N] [--seed S] [--snaplen N] --out FILE
           monitor-bench-generator --check FILE
      --packets N    packets of mixed traffic (default 5000000)
      --duration S   seconds of packet time the packets are spread over (default 150; 86400 is a day)
      --start T      time of the first packet, ISO 8601 UTC (default 2026-01-15T12:00:05Z)
      --syn-flood    a spoofed SYN flood instead: --sources distinct sources (default 10000000), one SYN each,
                     plus 20 heavy hitters in 203.0.113.1-20 (20000, 19500, ... SYNs), all to 192.0.2.10:80
      --seed S       random seed (default 1); same arguments, same bytes
      --snaplen N    snap length (default 128)
      --check FILE   re-read a mixed-traffic capture with libpcap and PacketDotNet and compare it with FILE.truth.json
    """;

long packets = 5_000_000, sources = 10_000_000;
var duration = TimeSpan.FromSeconds(150);
var start = new SyntheticCaptureOptions().Start;
ulong seed = 1;
var snapLength = 128;
var synFlood = false;
string? output = null;
try
{
    for (var i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
        switch (args[i])
        {
            case "--packets": packets = long.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "--sources": sources = long.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "--duration": duration = TimeSpan.FromSeconds(double.Parse(Value(), CultureInfo.InvariantCulture)); break;
            case "--start": start = DateTimeOffset.Parse(Value(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal); break;
            case "--seed": seed = ulong.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "--snaplen": snapLength = int.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "--syn-flood": synFlood = true; break;
            case "--out": output = Value(); break;
            case "--check": return Monitor.Bench.Generator.TruthCheck.Run(Value());
            case "-h" or "--help": Console.WriteLine(usage); return 0;
            default: throw new ArgumentException($"unknown argument {args[i]}");
        }
    }
    if (output is null) throw new ArgumentException("--out FILE is required");
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine($"monitor-bench-generator: {e.Message}");
    Console.Error.WriteLine(usage);
    return 2;
}

var clock = Stopwatch.StartNew();
object truth;
long written;
try
{
    if (synFlood)
    {
        var flood = SynFloodGenerator.Write(output, new SynFloodOptions { DistinctSources = sources, Seed = seed, SnapLength = snapLength });
        truth = flood;
        written = flood.Packets;
    }
    else
    {
        var mixed = SyntheticCaptureGenerator.Write(output, new SyntheticCaptureOptions { Packets = packets, Seed = seed, SnapLength = snapLength, Start = start, Duration = duration });
        truth = mixed;
        written = mixed.Packets;
    }
}
catch (ArgumentOutOfRangeException e)
{
    Console.Error.WriteLine($"monitor-bench-generator: {e.Message}");
    return 2;
}
var seconds = clock.Elapsed.TotalSeconds;

var json = JsonSerializer.Serialize(truth, truth.GetType(), new JsonSerializerOptions
{
    WriteIndented = true,
    PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
});
File.WriteAllText(output + ".truth.json", json);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"wrote {written:N0} packets to {output} in {seconds:F1} s ({written / seconds / 1e6:F2} M packets/s); truth in {output}.truth.json"));
return 0;
