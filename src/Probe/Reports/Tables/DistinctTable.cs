using System.Runtime.CompilerServices;
using Monitor.Probe.Decode;
using Monitor.Storage.Summaries;

namespace Monitor.Probe.Reports.Tables;

/// <summary>
/// Distinct items (destination addresses, ports) per source in up to <see cref="MaxDimensions"/>
/// dimensions, exact below capacity: a shared set of (source, dimension, item) holds every item seen,
/// and a bounded per-source table keeps the counts. Merging unions the sets, so a source whose packets
/// were spread over workers is counted once per item. Bounds: the per-source table folds its light half
/// as <see cref="BoundedTable{TKey,TValue}"/> does (and drops those sources' items); a source that alone
/// holds an eighth of the item set moves to HyperLogLog sketches (about 1.6 % error, flagged
/// <c>estimated</c>).
/// </summary>
internal sealed class DistinctTable
{
    public const int MaxDimensions = 8;

    [InlineArray(MaxDimensions)]
    internal struct DimensionCounts
    {
        private int _first;
    }

    internal struct SourceCounts : ITableValue<SourceCounts>
    {
        public DimensionCounts Counts;
        public bool Estimated;

        public readonly long Rank
        {
            get
            {
                long sum = 0;
                foreach (var c in Counts) sum += c;
                return sum;
            }
        }

        public void Add(in SourceCounts other)
        {
            for (var i = 0; i < MaxDimensions; i++) Counts[i] += other.Counts[i];
        }
    }

    private readonly BoundedTable<HostKey, SourceCounts> _sources;
    private readonly BoundedTable<ItemKey, NoValue> _items;
    private readonly Dictionary<IpAddressKey, DistinctSketch[]> _sketches = new();
    private readonly int _dimensions;

    public DistinctTable(int sourceCapacity, int itemCapacity, int dimensions)
    {
        _sources = new BoundedTable<HostKey, SourceCounts>(sourceCapacity);
        _items = new BoundedTable<ItemKey, NoValue>(itemCapacity);
        _dimensions = dimensions;
    }

    public int Capacity => _sources.Capacity;
    public int ItemCapacity => _items.Capacity;
    public int Sources => _sources.Count;
    public long Folded => _sources.Folded;
    public long MaxError => _sources.MaxError;
    public int EstimatedSources => _sketches.Count;

    /// <summary>
    /// Records up to three items of one source: the first as <see cref="Prefetch"/> gave it (its item
    /// and table hash), the others by value; their dimensions below 0 are skipped. With
    /// <paramref name="secondOnlyWithFirst"/>, the second item is implied by the first (it was recorded
    /// together with it), so it is only looked up when the first is new.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(IpAddressKey source, ulong sourceHash, ulong firstItem, ulong firstItemHash,
        int dimension2, ulong high2, ulong low2,
        int dimension3 = -1, ulong high3 = 0, ulong low3 = 0,
        bool secondOnlyWithFirst = false)
    {
        ref var counts = ref SourceFor(source, sourceHash, newItems: 3);
        var first = new ItemKey(source, firstItem);
        if (counts.Estimated)
        {
            var sketches = _sketches[source];
            sketches[first.Dimension].Add(first.ItemHash());
            if (dimension2 >= 0) sketches[dimension2].Add(ItemKey.Of(source, high2, low2, dimension2).ItemHash());
            if (dimension3 >= 0) sketches[dimension3].Add(ItemKey.Of(source, high3, low3, dimension3).ItemHash());
            return;
        }
        var firstAdded = AddItem(ref counts, first, firstItemHash);
        if (dimension2 >= 0 && (firstAdded || !secondOnlyWithFirst)) AddItem(ref counts, ItemKey.Of(source, high2, low2, dimension2));
        if (dimension3 >= 0) AddItem(ref counts, ItemKey.Of(source, high3, low3, dimension3));
    }

    /// <summary>
    /// The source's counts, added when new. Room for <paramref name="newItems"/> items is made first, so
    /// that no compaction moves entries while the caller holds the reference.
    /// </summary>
    private ref SourceCounts SourceFor(IpAddressKey source, ulong sourceHash, int newItems)
    {
        if (_items.Count + newItems > _items.Capacity) MakeRoomForItems();
        var foldedBefore = _sources.Folded;
        ref var counts = ref _sources.GetOrAdd(new HostKey(source), sourceHash, out _);
        if (_sources.Folded != foldedBefore) DropOrphans();
        return ref counts;
    }

    /// <summary>Adds one item of another table (merging).</summary>
    private void Add(in ItemKey item)
    {
        ref var counts = ref SourceFor(item.Source, new HostKey(item.Source).Hash(), newItems: 1);
        if (counts.Estimated) _sketches[item.Source][item.Dimension].Add(item.ItemHash());
        else AddItem(ref counts, item);
    }

    /// <summary>
    /// Starts loading the cache lines that an add of this source and first item will touch; gives the
    /// item and its table hash, which <see cref="Add"/> takes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(IpAddressKey source, ulong sourceHash, int dimension, ulong high, ulong low, out ulong item, out ulong itemHash)
    {
        var key = ItemKey.Of(source, high, low, dimension);
        item = key.Item;
        itemHash = key.Hash();
        _sources.Prefetch(sourceHash);
        _items.Prefetch(itemHash);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool AddItem(ref SourceCounts counts, in ItemKey item) => AddItem(ref counts, item, item.Hash());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool AddItem(ref SourceCounts counts, in ItemKey item, ulong hash)
    {
        _items.GetOrAdd(item, hash, out var added);
        if (added) counts.Counts[item.Dimension]++;
        return added;
    }

    public long Count(IpAddressKey source, int dimension)
    {
        ref var counts = ref _sources.TryGet(new HostKey(source), out var found);
        if (!found) return 0;
        return counts.Estimated ? _sketches[source][dimension].Estimate() : counts.Counts[dimension];
    }

    public bool IsEstimated(IpAddressKey source)
    {
        ref var counts = ref _sources.TryGet(new HostKey(source), out var found);
        return found && counts.Estimated;
    }

    public IEnumerable<IpAddressKey> SourceAddresses()
    {
        foreach (var (key, _) in _sources.Entries()) yield return key.Ip;
    }

    /// <summary>
    /// The item sets of the given sources in one dimension each, as stored with report rows (exact hashes, or the
    /// source's sketch once it is estimated): one pass over the item set whatever the number of sources.
    /// </summary>
    public Dictionary<(IpAddressKey Source, int Dimension), DistinctUnion> Sets(IReadOnlyCollection<(IpAddressKey Source, int Dimension)> wanted)
    {
        var sets = new Dictionary<(IpAddressKey, int), DistinctUnion>(wanted.Count);
        foreach (var want in wanted)
        {
            if (sets.ContainsKey(want)) continue;
            var set = new DistinctUnion();
            if (_sketches.TryGetValue(want.Source, out var sketches)) set.AddProbeRegisters(sketches[want.Dimension].Values);
            sets[want] = set;
        }
        if (sets.Count == 0) return sets;
        foreach (var (item, _) in _items.Entries())
            if (sets.TryGetValue((item.Source, item.Dimension), out var set)) set.Add(item.ItemHash());
        return sets;
    }

    private void MakeRoomForItems()
    {
        var heavy = _items.Capacity / 8;
        var heavySources = new List<IpAddressKey>();
        foreach (var (key, value) in _sources.Entries())
            if (!value.Estimated && value.Rank >= heavy) heavySources.Add(key.Ip);
        foreach (var source in heavySources) Saturate(source);
        while (_items.Count > _items.Capacity / 2 && _sources.Count > 0)
        {
            _sources.EvictLightHalf();
            DropOrphans();
        }
    }

    /// <summary>Moves one source's items into sketches: its counts become estimates from then on.</summary>
    private void Saturate(IpAddressKey source)
    {
        var sketches = new DistinctSketch[_dimensions];
        for (var i = 0; i < sketches.Length; i++) sketches[i] = new DistinctSketch();
        _sketches[source] = sketches;
        _sources.GetOrAdd(new HostKey(source), out _).Estimated = true;
        _items.RemoveWhere(static (in BoundedTable<ItemKey, NoValue>.Slot slot, (IpAddressKey Source, DistinctSketch[] Sketches) s) =>
        {
            if (slot.Key.Source != s.Source) return false;
            s.Sketches[slot.Key.Dimension].Add(slot.Key.ItemHash());
            return true;
        }, (source, sketches));
    }

    private void DropOrphans()
    {
        _items.RemoveWhere(static (in BoundedTable<ItemKey, NoValue>.Slot slot, BoundedTable<HostKey, SourceCounts> sources) =>
            !sources.Contains(new HostKey(slot.Key.Source)), _sources);
        if (_sketches.Count == 0) return;
        foreach (var source in _sketches.Keys.ToList())
            if (!_sources.Contains(new HostKey(source))) _sketches.Remove(source);
    }

    /// <summary>Slots of the source and item tables now.</summary>
    public (int Sources, int Items) SlotCounts => (_sources.SlotCount, _items.SlotCount);

    /// <summary>Allocates at least these many slots (see <see cref="BoundedTable{TKey,TValue}.ReserveSlots"/>).</summary>
    public void Reserve(int sources, int items)
    {
        _sources.ReserveSlots(sources);
        _items.ReserveSlots(items);
    }

    /// <summary>Unions another worker's items into this table.</summary>
    public void MergeFrom(DistinctTable other)
    {
        foreach (var (source, sketches) in other._sketches)
        {
            if (!IsEstimated(source))
            {
                _sources.GetOrAdd(new HostKey(source), out _);
                Saturate(source);
            }
            var mine = _sketches[source];
            for (var i = 0; i < sketches.Length; i++) mine[i].MergeFrom(sketches[i]);
        }
        foreach (var (item, _) in other._items.Entries()) Add(item);
        _sources.AddFoldStatistics(other._sources.Folded, other._sources.MaxError);
    }

    public void Clear()
    {
        _sources.Clear();
        _items.Clear();
        _sketches.Clear();
    }
}
