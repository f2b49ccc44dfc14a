using Monitor.Probe.Bpf;
using Monitor.Probe.Counting;
using Monitor.Probe.Merge;
using Monitor.Storage.Model.Metrics;

namespace Monitor.Probe.Tests.Merge;

/// <summary>The second points the merger builds: every series by name, in the order the sinks have always written them.</summary>
public sealed class SnapshotBuilderTests
{
    [Fact]
    public void A_second_point_names_its_series_in_a_fixed_order_and_finds_each_by_name()
    {
        var counters = new long[CounterSlots.Fixed];
        counters[CounterSlots.Packets] = 10;
        counters[CounterSlots.Bytes] = 1000;
        counters[CounterSlots.Syn] = 3;
        counters[CounterSlots.ProtocolPackets + 1] = 4; // udp
        counters[CounterSlots.ProtocolBytes + 1] = 400;

        var second = new SnapshotBuilder("p1", BpfGraphSet.Empty)
            .BuildSecond(DateTimeOffset.UnixEpoch, counters, new SourceCounts(0, 2, 0, 0, 0));

        string[] expected =
        [
            MetricCatalog.Packets, MetricCatalog.Bits, MetricCatalog.Drops, MetricCatalog.IcmpErrors, MetricCatalog.Syn, MetricCatalog.NewFlows,
            .. MetricCatalog.Protocols.SelectMany(p => new[] { MetricCatalog.ProtocolPackets(p), MetricCatalog.ProtocolBits(p) }),
        ];
        Assert.Equal(expected, second.Metrics.Select(kv => kv.Key));
        Assert.Equal(expected.Length, second.Metrics.Count);
        Assert.Equal(10, second.Metrics[MetricCatalog.Packets]);
        Assert.Equal(8000, second.Metrics[MetricCatalog.Bits]);
        Assert.Equal(2, second.Metrics[MetricCatalog.Drops]);
        Assert.Equal(3, second.Metrics[MetricCatalog.Syn]);
        Assert.Equal(4, second.Metrics[MetricCatalog.ProtocolPackets("udp")]);
        Assert.Equal(3200, second.Metrics[MetricCatalog.ProtocolBits("udp")]);
        Assert.False(second.Metrics.TryGetValue("no.such.series", out _));
        Assert.Throws<KeyNotFoundException>(() => second.Metrics["no.such.series"]);
    }
}
