namespace Monitor.Probe.Merge;

/// <summary>
/// Caps how much a long run allocates between collections. The GC sizes its first-generation budget from
/// the largest CPU cache, and a virtual machine may report its host's (260 MiB of L3 on the machine this
/// was measured on): the budget then runs to tens of MiB. A sensor allocates little and steadily — about
/// 150 KB per closed interval (the snapshot, its JSON, the store's parameters), nothing per packet — so it
/// went many minutes without a single collection while its resident memory climbed by that budget
/// (bench/soak.sh: 46 to 103 MiB of RssAnon in 12 minutes of 1-second intervals, levelling only after
/// ~25 minutes). Collecting the young generations once <see cref="Bytes"/> have been allocated since the
/// last keeps it flat; such a collection of short-lived garbage takes well under a millisecond. Generation 1
/// is collected too: induced gen-0 collections alone leave each one's survivors (the interval being written)
/// in generation 1, which then crept up by about 0.4 MiB a minute. Collecting generation 1 in turn promotes what
/// it finds alive (the interval being written, the store's statements) to generation 2, where it dies; the GC
/// collected generation 2 rarely, so the heap crept on by 0.4 MiB a minute (bench/soak.sh: RssAnon 34 to 39 MiB in
/// ten minutes, while a heap dump, which collects everything, found the live heap flat). So once generation 2
/// has grown by <see cref="Gen2Growth"/> since the last full collection, the next is a full one: a few
/// milliseconds, every few minutes at 1-second intervals.
/// </summary>
internal static class GenerationZeroBudget
{
    public const long Bytes = 8 << 20;

    public const long Gen2Growth = 4 << 20;

    private static long _collectedAt;

    /// <summary>Called once per closed interval, on the merger's thread.</summary>
    public static bool AfterInterval()
    {
        var allocated = GC.GetTotalAllocatedBytes();
        var since = Interlocked.Read(ref _collectedAt);
        if (allocated - since < Bytes) return false;
        Interlocked.Exchange(ref _collectedAt, allocated);
        GC.Collect(1, GCCollectionMode.Forced, blocking: true);
        if (GC.GetGCMemoryInfo().GenerationInfo[2].SizeAfterBytes - Gen2AfterLastFullCollection() >= Gen2Growth)
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return true;
    }

    /// <summary>
    /// Generation 2's size after the last collection of it, whoever made it (this budget, the GC on its own, a
    /// background collection): 0 before the first.
    /// </summary>
    private static long Gen2AfterLastFullCollection()
    {
        var blocking = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        var background = GC.GetGCMemoryInfo(GCKind.Background);
        var last = background.Index > blocking.Index ? background : blocking;
        return last.Index == 0 ? 0 : last.GenerationInfo[2].SizeAfterBytes;
    }
}
