using Monitor.Probe.Decode;
using Monitor.Probe.Reports.Tables;

namespace Monitor.Probe.Tests.Reports;

public class BoundedTableTests
{
    private struct Counter : ITableValue<Counter>
    {
        public long Value;
        public readonly long Rank => Value;
        public void Add(in Counter other) => Value += other.Value;
    }

    private static HostKey Key(uint i) => new(IpAddressKey.FromV4(i));

    [Fact]
    public void Every_key_stays_findable_after_folds_and_none_is_undercounted_beyond_the_error()
    {
        var table = new BoundedTable<HostKey, Counter>(500);
        var truth = new Dictionary<uint, long>();
        var random = new Random(1);
        for (var n = 0; n < 200_000; n++)
        {
            // Zipf-like: a few keys get most of the weight.
            var key = (uint)(random.NextDouble() < 0.5 ? random.Next(20) : random.Next(100_000));
            truth[key] = truth.GetValueOrDefault(key) + 1;
            table.GetOrAdd(Key(key), out _).Value++;
        }

        Assert.True(table.Folded > 0);
        Assert.Equal(table.Count, table.Entries().Count());
        foreach (var (key, value) in table.Entries())
        {
            Assert.True(table.Contains(key));
            var real = truth[key.Ip.V4];
            Assert.InRange(real - value.Value, 0, table.MaxError);
        }
        // Every key heavier than the error bound is present.
        foreach (var (key, real) in truth.Where(kv => kv.Value > table.MaxError))
            Assert.True(table.Contains(Key(key)), $"key {key} ({real}) missing");
    }

    [Fact]
    public void Below_capacity_counts_are_exact_and_nothing_is_folded()
    {
        var table = new BoundedTable<HostKey, Counter>(10_000);
        for (uint i = 0; i < 30_000; i++) table.GetOrAdd(Key(i % 9_000), out _).Value++;

        Assert.Equal(0, table.Folded);
        Assert.Equal(0, table.MaxError);
        Assert.All(table.Entries(), e => Assert.Equal(e.Key.Ip.V4 < 3_000 ? 4 : 3, e.Value.Value));
    }
}
