using Microsoft.Extensions.Logging.Abstractions;
using Monitor.Probe.Bpf;
using Monitor.Probe.Capture;
using Monitor.Probe.Dispatch;
using Monitor.Probe.Merge;
using Monitor.Probe.Reports;
using Monitor.TestKit.Packets;

namespace Monitor.Probe.Tests.Dispatch;

public sealed class DispatcherTests
{
    private static readonly long Time = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;

    [Fact]
    public void Live_capture_counts_every_full_worker_queue_instead_of_waiting()
    {
        var reports = new ReportSetPool(new ReportOptions(), 3);
        // The worker is never started, so its queue fills and stays full.
        var worker = new Worker(0, queueCapacity: 2, new NoMerge(), BpfGraphSet.Empty, new PartitionReports(reports.Rent));
        var counters = new ProbeCounters();
        var dispatcher = new Dispatcher([worker], new IntervalClock(TimeSpan.FromSeconds(30)), live: true,
            () => null, counters, new PacketTaps(), NullLogger.Instance);
        var frame = PacketBuilder.Udp("192.0.2.1", "192.0.2.2", 1000, 53, 20);

        for (var i = 0; i < 5 * PacketBatch.MaxPackets; i++)
            dispatcher.Receive(new RawPacket(Time + i, frame.Length, LinkTypes.Ethernet, frame));

        // Two batches fit in the queue, one is being filled; the other two were dropped and counted.
        Assert.Equal(2, counters.QueueFull);
        Assert.Equal(2 * PacketBatch.MaxPackets, counters.QueueDroppedPackets);
        Assert.Equal(5 * PacketBatch.MaxPackets, counters.Packets);
    }

    [Fact]
    public void Both_directions_of_a_conversation_go_to_the_same_worker()
    {
        var reports = new ReportSetPool(new ReportOptions(), 12);
        var workers = Enumerable.Range(0, 4).Select(i => new Worker(i, 64, new NoMerge(), BpfGraphSet.Empty, new PartitionReports(reports.Rent))).ToArray();
        var dispatcher = new Dispatcher(workers, new IntervalClock(TimeSpan.FromSeconds(30)), live: true,
            () => null, new ProbeCounters(), new PacketTaps(), NullLogger.Instance);
        var there = PacketBuilder.Tcp("198.51.100.7", "203.0.113.9", 40000, 443, 0x02);
        var back = PacketBuilder.Tcp("203.0.113.9", "198.51.100.7", 443, 40000, 0x12);

        // One batch fills (and is sent) only if every packet of the pair went to the same worker.
        for (var i = 0; i < PacketBatch.MaxPackets / 2 + 1; i++)
        {
            dispatcher.Receive(new RawPacket(Time, there.Length, LinkTypes.Ethernet, there));
            dispatcher.Receive(new RawPacket(Time, back.Length, LinkTypes.Ethernet, back));
        }

        Assert.Single(workers, w => w.Work.TryDequeue(out _));
    }

    /// <summary>The workers here are never started: nothing reaches the merge stage.</summary>
    private sealed class NoMerge : IMergeInbox
    {
        public void Post(IReadOnlyList<WorkerHandover> handovers) { }

        public void Fail(Exception e) { }
    }
}
