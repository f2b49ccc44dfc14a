using System.Text.Json;
using Monitor.Probe.Decode;
using Monitor.Probe.Dispatch;
using Monitor.Probe.Reports;
using static Monitor.Probe.Tests.Reports.TestPackets;

namespace Monitor.Probe.Tests.Dispatch;

public class LookaheadCounterTests
{
    private static readonly ReportOptions Options = new() { Top = 50 };

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(LookaheadCounter.Lookahead - 1)]
    [InlineData(LookaheadCounter.Lookahead)]
    [InlineData(LookaheadCounter.Lookahead + 1)]
    [InlineData(1000)]
    public void Counting_ahead_gives_every_report_exactly_what_counting_one_by_one_gives(int packets)
    {
        var traffic = Mixed(packets);
        var direct = Count(Options, traffic);
        var ahead = new ReportSet(Options);
        var counter = new LookaheadCounter();
        var run = traffic.ToArray();
        for (var i = 0; i < run.Length; i++) counter.Commit(ahead, run, i);
        counter.Flush(ahead, run, run.Length);

        var expected = direct.Build(TimeSpan.FromSeconds(30));
        var actual = ahead.Build(TimeSpan.FromSeconds(30));
        Assert.Equal(JsonSerializer.Serialize(expected), JsonSerializer.Serialize(actual));
        Assert.Equal(packets, actual.Report("talkers").Sum(r => r.Long("packets_sent")));
    }

    [Fact]
    public void A_flush_counts_the_waiting_packets_once_and_the_counter_goes_on_after_it()
    {
        var set = new ReportSet(Options);
        var counter = new LookaheadCounter();
        var batch = Mixed(15).ToArray();
        // Three runs of one batch, as a worker counts up to each second's end inside it.
        foreach (var (from, to) in new[] { (0, 5), (5, 10), (10, 15) })
        {
            for (var i = from; i < to; i++) counter.Commit(set, batch, i);
            counter.Flush(set, batch, to);
            counter.Flush(set, batch, to);
        }

        var talkers = set.Build(TimeSpan.FromSeconds(30)).Report("talkers");
        Assert.Equal(15, talkers.Sum(r => r.Long("packets_sent")));
    }

    private static List<DecodedPacket> Mixed(int packets) =>
    [
        .. Repeat(packets, i => (i % 4) switch
        {
            0 => Syn($"198.51.100.{i % 7 + 1}", $"203.0.113.{i % 50 + 1}", (ushort)(i % 30 + 1)),
            1 => Udp($"192.0.2.{i % 9 + 1}", "192.0.2.200", (ushort)(40000 + i % 100), 53, 80 + i % 40),
            2 => Tcp($"192.0.2.{i % 5 + 1}", "192.0.2.250", 443, (ushort)(50000 + i % 20), TcpFlags.Ack, 1500),
            _ => Icmp($"192.0.2.{i % 3 + 1}", $"198.51.100.{i % 11 + 1}", 8, 0, payload: 56),
        }),
    ];
}
