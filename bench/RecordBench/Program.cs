using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Monitor.Probe.Capture;
using Monitor.Probe.Recording;
using Monitor.TestKit.Packets;

// Extraction benchmark for bench/record.sh:
//   monitor-bench-record write DIR GIB      a day (24 h) of recording of about GIB GiB, written by the probe's recorder
//   monitor-bench-record extract DIR OUT    one conversation (192.0.2.7:40000 <-> 198.51.100.20:80, 13:00-13:10) out of the whole day
var day = new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);
const string Filter = "host 192.0.2.7 and host 198.51.100.20 and port 80";
if (args is ["write", var dir, var gib])
{
    var frameBytes = 16 + 14 + 20 + 20 + 1400;
    var packets = (long)(double.Parse(gib, CultureInfo.InvariantCulture) * (1L << 30) / frameBytes);
    var step = TimeSpan.TicksPerDay / packets;
    // Other traffic from 5,000 clients to 50 servers; a few thousand frames prebuilt, reused in turn.
    var frames = new byte[4096][];
    for (var i = 0; i < frames.Length; i++)
        frames[i] = PacketBuilder.Tcp($"10.{i % 20}.{i / 20 % 250}.{i % 250 + 1}", $"198.51.100.{100 + i % 50}", (ushort)(20000 + i), 443, 0x18, 1400);
    var session = PacketBuilder.Tcp("192.0.2.7", "198.51.100.20", 40000, 80, 0x18, 1400);
    var sessionFrom = day.AddHours(13).UtcTicks;
    var sessionTo = day.AddHours(13).AddMinutes(10).UtcTicks;
    var clock = Stopwatch.StartNew();
    long sessionPackets = 0;
    using (var recorder = PacketRecorder.Start(new RecordSettings(dir, 64L << 30, TimeSpan.FromDays(2), 60, 262144), live: false, NullLogger.Instance))
    {
        for (long i = 0; i < packets; i++)
        {
            var ticks = day.UtcTicks + i * step;
            var inSession = ticks >= sessionFrom && ticks < sessionTo && i % 20 == 0;
            var frame = inSession ? session : frames[i % frames.Length];
            if (inSession) sessionPackets++;
            recorder.Offer(new RawPacket(ticks, frame.Length, LinkTypes.Ethernet, frame));
        }
        recorder.Complete();
    }
    var bytes = new DirectoryInfo(dir).EnumerateFiles().Sum(f => f.Length);
    Console.WriteLine($"write: {packets} packets, {bytes / (1 << 20)} MiB in {Directory.GetFiles(dir, "*.pcap").Length} files over 24 h, "
        + $"{sessionPackets} in the session, {clock.Elapsed.TotalSeconds:0.0} s");
    return 0;
}
if (args is ["extract", var from, var output])
{
    var clock = Stopwatch.StartNew();
    await using var file = File.Create(output);
    var result = await RecordingReader.ExtractAsync(from, day, day.AddDays(1), Filter, long.MaxValue, long.MaxValue, file, CancellationToken.None);
    Console.WriteLine($"extract: {result.Packets} packets, {result.Bytes} bytes from {result.Slices} files, "
        + $"{result.BlocksRead} blocks read, {result.BlocksSkipped} skipped, {clock.Elapsed.TotalSeconds:0.000} s");
    return 0;
}
Console.Error.WriteLine("usage: monitor-bench-record write DIR GIB | extract DIR OUT");
return 2;
