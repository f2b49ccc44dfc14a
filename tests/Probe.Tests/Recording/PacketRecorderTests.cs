using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Monitor.Probe.Capture;
using Monitor.Probe.Hosting;
using Monitor.Probe.Recording;
using Monitor.Probe.Reports;
using Monitor.TestKit.Filesystems;
using Monitor.TestKit.Logging;
using Monitor.TestKit.Packets;

namespace Monitor.Probe.Tests.Recording;

public sealed class PacketRecorderTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "monitor-record-" + Guid.NewGuid().ToString("N")[..12]);

    public PacketRecorderTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// Five minutes of traffic: one web conversation of interest (192.0.2.7:40000 → 198.51.100.20:80)
    /// among DNS, other web clients and a port sweep, so most blocks do not hold the conversation.
    /// </summary>
    private string WriteCapture(int packets, int payload = 200)
    {
        var path = Path.Combine(_dir, "replay.pcap");
        using var writer = new PcapFileWriter(path);
        for (var i = 0; i < packets; i++)
        {
            var t = T0.AddTicks(i * (TimeSpan.TicksPerMinute * 5 / packets));
            byte[] frame = (i % 10) switch
            {
                0 => PacketBuilder.Tcp("192.0.2.7", "198.51.100.20", 40000, 80, 0x18, payload),
                1 => PacketBuilder.Tcp("198.51.100.20", "192.0.2.7", 80, 40000, 0x18, payload),
                2 or 3 => PacketBuilder.Udp($"10.0.{i % 7}.1", "10.0.0.53", (ushort)(1024 + i % 3000), 53, 40),
                4 => PacketBuilder.Tcp("192.0.2.9", "203.0.113.5", (ushort)(30000 + i % 500), 443, 0x10, payload),
                _ => PacketBuilder.Tcp($"172.16.{i % 200}.{i % 250}", "198.51.100.20", (ushort)(20000 + i % 9000), (ushort)(i % 1024), 0x02),
            };
            // The conversation of interest only talks in the second minute, so the index can skip the rest.
            if (i % 10 is 0 or 1 && (t < T0.AddMinutes(1) || t >= T0.AddMinutes(2))) frame = PacketBuilder.Udp("10.9.9.9", "10.0.0.53", 999, 53, 40);
            writer.Write(t, frame);
        }
        return path;
    }

    private static async Task<ProbeRunResult> RecordReplay(string capture, string record, int fileSeconds = 60, string? json = null,
        Microsoft.Extensions.Logging.ILoggerFactory? log = null)
    {
        var runner = new ProbeRunner(new ProbeLiveFeed(), Microsoft.Extensions.Options.Options.Create(new Monitor.Storage.Spool.SpoolOptions()), log ?? NullLoggerFactory.Instance);
        return await runner.RunAsync(new ProbeOptions
        {
            Read = [capture], Store = "none", Workers = 1, Name = "record-test", Record = record, RecordFileSeconds = fileSeconds,
            Json = json,
        }, new ReportOptions(), CancellationToken.None);
    }

    private static byte[] Tcpdump(IEnumerable<string> files, string filter, string listDirectory)
    {
        var list = Path.Combine(listDirectory, "files.txt");
        File.WriteAllLines(list, files);
        var start = new ProcessStartInfo("tcpdump") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-Z", "root", "-V", list, "-w", "-", filter }) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(output);
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "tcpdump did not finish");
        copy.Wait();
        Assert.True(process.ExitCode == 0, $"tcpdump failed: {error.Result}");
        return output.ToArray();
    }

    private static async Task<(byte[] Pcap, ExtractResult Result)> Extract(string record, DateTimeOffset from, DateTimeOffset to, string? filter,
        long maxPackets = long.MaxValue, long maxBytes = long.MaxValue)
    {
        var output = new MemoryStream();
        var result = await RecordingReader.ExtractAsync(record, from, to, filter, maxPackets, maxBytes, output, CancellationToken.None);
        return (output.ToArray(), result);
    }

    [Fact]
    public async Task A_recorded_replay_gives_one_conversation_by_bpf_byte_for_byte_as_tcpdump_reads_it_from_the_recording_files()
    {
        var capture = WriteCapture(60_000);
        var record = Path.Combine(_dir, "rec");
        var run = await RecordReplay(capture, record);
        Assert.Null(run.Error);

        var slices = RecordingReader.List(record);
        Assert.Equal(5, slices.Count);
        Assert.All(slices, s => Assert.False(s.Open));
        var files = slices.Select(s => Path.Combine(record, s.BaseName + RecordingFiles.PcapExtension)).ToList();

        const string filter = "host 192.0.2.7 and host 198.51.100.20 and port 80";
        var (pcap, result) = await Extract(record, T0, T0.AddHours(1), filter);
        var oracle = Tcpdump(files, filter, _dir);
        // A fifth of the packets of the second minute.
        Assert.Equal(2_400, result.Packets);
        Assert.Equal(oracle.Length, pcap.Length);
        Assert.True(oracle.AsSpan().SequenceEqual(pcap), "extraction differs from tcpdump's");
        // The index kept the reader to the minute that holds the conversation.
        Assert.Equal(1, result.Slices);
        Assert.True(result.BlocksSkipped > result.BlocksRead, $"{result.BlocksSkipped} blocks skipped, {result.BlocksRead} read");

        // Everything over the whole range is the replayed file itself.
        var (all, _) = await Extract(record, T0, T0.AddHours(1), null);
        Assert.True(File.ReadAllBytes(capture).AsSpan().SequenceEqual(all), "the recording differs from the replayed capture");
    }

    [Fact]
    public async Task An_extraction_keeps_to_its_time_range_and_caps_and_a_filter_libpcap_refuses_is_an_error()
    {
        var capture = WriteCapture(6_000);
        var record = Path.Combine(_dir, "rec");
        Assert.Null((await RecordReplay(capture, record)).Error);

        var (_, minute) = await Extract(record, T0.AddMinutes(1), T0.AddSeconds(90), "host 192.0.2.7 and tcp port 80");
        Assert.Equal(120, minute.Packets);
        var (capped, truncated) = await Extract(record, T0, T0.AddMinutes(5), null, maxPackets: 100);
        Assert.Equal((100L, true), (truncated.Packets, truncated.Truncated));
        Assert.Equal(capped.Length, truncated.Bytes);
        await Assert.ThrowsAsync<CaptureFilterException>(() => Extract(record, T0, T0.AddMinutes(5), "host and and"));
    }

    [Fact]
    public async Task Size_and_age_limits_hold_while_a_sustained_replay_is_recorded()
    {
        var record = Path.Combine(_dir, "rec");
        var settings = new RecordSettings(record, MaxBytes: 16L << 20, MaxAge: TimeSpan.FromMinutes(2), FileSeconds: 10, SnapLength: 262144);
        var frame = PacketBuilder.Tcp("192.0.2.7", "198.51.100.20", 40000, 80, 0x18, 1400);
        long largest = 0;
        using (var recorder = PacketRecorder.Start(settings, live: false, NullLogger.Instance))
        {
            // 80,000 packets of 1.4 kB over 20 minutes of packet time: 7 times the byte budget, 10 times the age.
            for (var i = 0; i < 80_000; i++)
            {
                recorder.Offer(new RawPacket(T0.AddTicks(i * TimeSpan.TicksPerSecond * 1200 / 80_000).UtcTicks, frame.Length, LinkTypes.Ethernet, frame));
                if (i % 5_000 == 0) largest = Math.Max(largest, DirectoryBytes(record));
            }
            recorder.Complete();
            Assert.Equal(80_000, recorder.Recorded);
            Assert.Equal(0, recorder.Dropped);
        }
        largest = Math.Max(largest, DirectoryBytes(record));
        Assert.True(largest <= settings.MaxBytes, $"the recording grew to {largest} bytes");
        var slices = RecordingReader.List(record);
        var newest = T0.AddMinutes(20);
        Assert.All(slices, s => Assert.True(s.Start >= newest - settings.MaxAge - TimeSpan.FromSeconds(20), $"{s.BaseName} outlived the age limit"));
        var (_, kept) = await Extract(record, T0, newest, null);
        // Two minutes of packets, and at most the one 10 s slice that straddles the limit.
        Assert.InRange(kept.Packets, 80_000 * 2 / 20, 80_000 * 130 / 1200 + 1);
    }

    private static long DirectoryBytes(string path) =>
        Directory.Exists(path) ? new DirectoryInfo(path).EnumerateFiles().Sum(f => { try { return f.Length; } catch (IOException) { return 0; } }) : 0;

    [Fact]
    public async Task The_slice_being_written_is_served_up_to_its_last_whole_block()
    {
        var record = Path.Combine(_dir, "rec");
        var settings = new RecordSettings(record, 1L << 30, TimeSpan.FromDays(1), 60, 262144);
        var frame = PacketBuilder.Udp("192.0.2.7", "198.51.100.20", 40000, 53, 500);
        using var recorder = PacketRecorder.Start(settings, live: true, NullLogger.Instance);
        // Five seconds of packets: every second's buffer goes to the writer; the last one is still in hand.
        for (var i = 0; i < 5_000; i++)
            recorder.Offer(new RawPacket(T0.AddMilliseconds(i).UtcTicks, frame.Length, LinkTypes.Ethernet, frame));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (recorder.Recorded < 4_000 && DateTime.UtcNow < deadline) await Task.Delay(20);

        var slice = Assert.Single(RecordingReader.List(record));
        Assert.True(slice.Open);
        var (pcap, result) = await Extract(record, T0, T0.AddMinutes(1), "udp");
        Assert.Equal(recorder.Recorded, result.Packets);
        var file = Path.Combine(_dir, "open.pcap");
        await File.WriteAllBytesAsync(file, pcap);
        Assert.Equal(result.Packets, CountRecords(Tcpdump([file], "udp", _dir)));
    }

    private static long CountRecords(byte[] pcap)
    {
        long count = 0;
        for (var position = 24; position + 16 <= pcap.Length; count++)
            position += 16 + BitConverter.ToInt32(pcap, position + 8);
        return count;
    }

    [SmallFilesystemFact]
    public async Task A_full_disk_pauses_the_recording_with_one_warning_while_counting_goes_on_and_the_loss_is_counted()
    {
        var capture = WriteCapture(30_000, payload: 1000);
        using var disk = SmallFilesystem.Mount(Path.Combine(_dir, "small"), 2 << 20);
        using var log = new CapturedLog();
        var json = Path.Combine(_dir, "intervals.jsonl");
        var run = await RecordReplay(capture, Path.Combine(disk.Path, "rec"), json: json, log: log.Factory());

        Assert.Null(run.Error);
        Assert.Equal(30_000, run.Packets);
        Assert.Single(log.Matching("Recording to", "paused", "disk is full"));
        double dropped = 0;
        foreach (var line in File.ReadLines(json))
        {
            using var interval = JsonDocument.Parse(line);
            if (interval.RootElement.TryGetProperty("metrics", out var metrics) && metrics.TryGetProperty("record.dropped", out var rate))
                dropped += rate.GetDouble() * 30;
        }
        Assert.True(dropped > 10_000, $"record.dropped says {dropped} packets");
        Assert.Equal(30_000, CountRecords((await Extract(Path.Combine(disk.Path, "rec"), T0, T0.AddHours(1), null)).Pcap) + (long)Math.Round(dropped));
    }
}
