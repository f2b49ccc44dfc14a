using Monitor.Probe.Merge;
using Monitor.Probe.Tests.EndToEnd;

namespace Monitor.Probe.Tests.Merge;

/// <summary>
/// The merger's cap on allocation between collections (bench/soak.sh measures what it keeps flat): once a
/// budget's worth has been allocated since the last collection, closing an interval collects. Alone, after the
/// parallel tests: a live probe's merger in another test calls the same budget and the GC counts are the process's.
/// </summary>
[Collection(MemoryMeasurements.Name)]
public sealed class GenerationZeroBudgetTests
{
    [Fact]
    public void Closing_an_interval_after_a_budgets_worth_of_allocation_collects_the_young_generations()
    {
        GenerationZeroBudget.AfterInterval();
        var collections = GC.CollectionCount(1);
        long kept = 0;
        // Small arrays (not the large-object heap), as a sensor's snapshots and JSON are; one and a half budgets' worth.
        for (long allocated = 0; allocated < GenerationZeroBudget.Bytes * 3 / 2; allocated += 16 << 10)
            kept += new byte[16 << 10].Length;

        Assert.True(GenerationZeroBudget.AfterInterval());
        Assert.True(GC.CollectionCount(1) > collections);
        Assert.True(kept >= GenerationZeroBudget.Bytes);
    }

    [Fact]
    public void Once_generation_2_has_grown_by_its_bound_closing_an_interval_collects_it_too()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GenerationZeroBudget.AfterInterval();
        // Garbage in generation 2 since the last full collection: objects that young collections promoted, then died,
        // as the interval being written does on a live sensor.
        var promoted = new List<byte[]>();
        for (long allocated = 0; allocated < GenerationZeroBudget.Gen2Growth * 2; allocated += 16 << 10) promoted.Add(new byte[16 << 10]);
        // Each collection promotes survivors by one generation at most.
        for (var i = 0; i < 4 && promoted.Any(a => GC.GetGeneration(a) < 2); i++) GC.Collect(1, GCCollectionMode.Forced, blocking: true);
        Assert.All(promoted, a => Assert.Equal(2, GC.GetGeneration(a)));
        promoted.Clear();
        var fullCollections = GC.CollectionCount(2);
        for (long allocated = 0; allocated < GenerationZeroBudget.Bytes * 3 / 2; allocated += 16 << 10) _ = new byte[16 << 10];

        Assert.True(GenerationZeroBudget.AfterInterval());
        Assert.True(GC.CollectionCount(2) > fullCollections);
    }
}
