using System.Globalization;

namespace Monitor.Probe.Tests.EndToEnd;

/// <summary>
/// A capture's cost follows its packets, not its seconds: a few thousand packets spread over hours must
/// hold about as much memory as the same packets over minutes. (A day of sparse traffic took 18 GiB when
/// every interval left a fresh report set of several MiB behind a merger that could not keep up.)
/// </summary>
[Collection(MemoryMeasurements.Name)]
public sealed class LongCaptureTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("monitor-long-").FullName;

    [Fact]
    public async Task Live_memory_during_a_run_does_not_grow_with_the_seconds_the_capture_spans()
    {
        var start = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        // Both long enough for the pipeline's bounded queues and pools to fill: what differs is only the seconds.
        var hour = SyntheticCapture.Write(Path.Combine(_folder, "hour.pcap"), 7, 4000, start, TimeSpan.FromHours(2), TimeSpan.FromSeconds(30));
        var hours = SyntheticCapture.Write(Path.Combine(_folder, "hours.pcap"), 7, 4000, start, TimeSpan.FromHours(12), TimeSpan.FromSeconds(30));

        var (shortRun, shortPeak) = await RunSampledAsync(hour.Path);
        var (longRun, longPeak) = await RunSampledAsync(hours.Path);

        Assert.Equal(0, shortRun.ExitCode);
        Assert.Equal(0, longRun.ExitCode);
        Assert.Equal(hours.Packets, longRun.Packets);
        Assert.Equal(12 * 60 * 2, longRun.Intervals.Count);
        // 1,200 more intervals: a report set kept per interval is 2 MiB of port counters alone, over 2 GiB in all.
        // The margin covers the pipeline's bounded queues of packet batches (0.5 MiB each), filled more or
        // less depending on how the threads are scheduled.
        var growth = longPeak - shortPeak;
        Assert.True(growth < 64L << 20,
            $"live managed memory peaked at {shortPeak >> 20} MiB with the packets over 2 hours and {longPeak >> 20} MiB over 12 hours");
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(2, 2)]
    public async Task Partitions_that_count_at_different_speeds_over_a_sparse_capture_never_wait_on_each_other(int workers, int groups)
    {
        // Packets a few seconds apart: nearly every second closes an interval (2 s long here), and the
        // partitions' queues drain at different speeds. With one pool of report sets shared by all
        // partitions, the one ahead took every set given back and the one behind waited for ever.
        var start = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var capture = SyntheticCapture.Write(Path.Combine(_folder, "sparse.pcap"), 11, 3000, start, TimeSpan.FromHours(3), TimeSpan.FromSeconds(30));

        var run = await ProbeRun.RunAsync("--read", capture.Path, "--interval", "2", "--store", "none",
            "--workers", workers.ToString(CultureInfo.InvariantCulture), "--table-groups", groups.ToString(CultureInfo.InvariantCulture))
            .WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(capture.Packets, run.Packets);
    }

    [Fact]
    public async Task A_six_hour_quiet_gap_between_two_captures_costs_no_intervals_of_its_own()
    {
        var start = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var before = SyntheticCapture.Write(Path.Combine(_folder, "before.pcap"), 3, 2000, start, TimeSpan.FromMinutes(30), TimeSpan.FromSeconds(30));
        var after = SyntheticCapture.Write(Path.Combine(_folder, "after.pcap"), 4, 2000, start.AddHours(6.5), TimeSpan.FromMinutes(30), TimeSpan.FromSeconds(30));

        var run = await ProbeRun.RunAsync("--read", before.Path, after.Path, "--interval", "30", "--store", "none", "--workers", "1");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(before.Packets + after.Packets, run.Packets);
        // The clock jumps over the quiet hours to the next packet's interval: the 720 intervals of the gap are
        // neither counted nor written, so the run is the cost of its two busy half hours.
        Assert.InRange(run.Intervals.Count, before.PacketsPerInterval.Count + after.PacketsPerInterval.Count - 2,
            before.PacketsPerInterval.Count + after.PacketsPerInterval.Count + 2);
    }

    /// <summary>Runs the probe while another thread samples live managed memory (after a full collection).</summary>
    private static async Task<(ProbeRun Run, long PeakBytes)> RunSampledAsync(string capture)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long peak = 0;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true));
                try { await Task.Delay(20, stop.Token); } catch (OperationCanceledException) { }
            }
        });
        var run = await ProbeRun.RunAsync("--read", capture, "--interval", "30", "--store", "none", "--workers", "1", "--table-groups", "2");
        await stop.CancelAsync();
        await sampler;
        return (run, peak);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}

/// <summary>
/// Tests that measure the process's managed memory run alone, after the parallel ones: other test classes'
/// probe runs in the same process (each session table is tens of MiB) would count into the figures.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurements
{
    public const string Name = "Memory measurements";
}
