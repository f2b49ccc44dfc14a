using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Monitor.Probe.Reports.Tables;

/// <summary>A table key: equality plus a well-mixed 64-bit hash (linear probing needs good low bits).</summary>
internal interface ITableKey<TKey> : IEquatable<TKey> where TKey : struct
{
    ulong Hash();
}

/// <summary>A table value: how heavy it is (what eviction ranks by) and how to add another worker's value.</summary>
internal interface ITableValue<TValue> where TValue : struct
{
    long Rank { get; }
    void Add(in TValue other);
}

/// <summary>
/// A flat open-addressing (linear probing) table of struct entries with a fixed capacity. Below the
/// capacity every value is exact. When a new key arrives at a full table, the lighter half of the
/// entries (rank at or below the median) is evicted in one pass - a batched Space-Saving: the
/// threshold becomes the table's <see cref="MaxError"/>, and every key admitted afterwards starts
/// with that error, so a key's true rank lies in [counted, counted + MaxError] and any key whose true
/// rank exceeds MaxError is still in the table. Eviction costs O(capacity) once per capacity/2 new
/// keys, so the per-packet cost stays constant under a flood of distinct keys.
/// </summary>
internal sealed class BoundedTable<TKey, TValue>
    where TKey : struct, ITableKey<TKey>
    where TValue : struct, ITableValue<TValue>
{
    // Key, Error and Used first: a probe reads Key and Used together, from one cache line, and Used
    // packs with a small value (the item sets' empty one) instead of being padded to 8 bytes on its own.
    internal struct Slot
    {
        public TKey Key;
        /// <summary>How much of this key's rank may have been counted before it was (re)admitted.</summary>
        public long Error;
        public bool Used;
        public TValue Value;
    }

    private const int InitialSlots = 256;
    private readonly int _maxSlots;
    private Slot[] _slots = new Slot[InitialSlots];
    private int _mask = InitialSlots - 1;
    private long[]? _ranks;

    public BoundedTable(int capacity)
    {
        if (capacity < 2) throw new ArgumentOutOfRangeException(nameof(capacity), "a table holds at least 2 keys");
        Capacity = capacity;
        // Load factor stays at or below about 2/3 even when full.
        _maxSlots = (int)Math.Max(InitialSlots, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)(capacity + capacity / 2)));
    }

    public int Capacity { get; }
    public int Count { get; private set; }
    /// <summary>Keys evicted to make room (each eviction of a key counts once).</summary>
    public long Folded { get; private set; }
    /// <summary>Upper bound on how much rank any entry may miss.</summary>
    public long MaxError { get; private set; }
    public bool IsFull => Count >= Capacity;

    /// <summary>The value of <paramref name="key"/>, inserted zeroed when absent (evicting the light half first when full).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref TValue GetOrAdd(scoped in TKey key, out bool added) => ref GetOrAdd(key, key.Hash(), out added);

    /// <summary>As <see cref="GetOrAdd(in TKey, out bool)"/>, with the key's hash already computed (it must be <c>key.Hash()</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref TValue GetOrAdd(scoped in TKey key, ulong hash, out bool added)
    {
        ref var slot = ref Find(key, hash, out var found);
        if (found)
        {
            added = false;
            return ref slot.Value;
        }
        added = true;
        return ref Insert(key).Value;
    }

    /// <summary>The value of <paramref name="key"/> or a null reference when absent.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref TValue TryGet(scoped in TKey key, out bool found)
    {
        ref var slot = ref Find(key, out found);
        if (!found) return ref Unsafe.NullRef<TValue>();
        return ref slot.Value;
    }

    /// <summary>
    /// Asks the CPU to load the home slot of the key with this hash into the cache, so that a lookup a few
    /// packets later does not stall on memory: tables far larger than the cache make every miss cost
    /// a trip to DRAM, and a worker that prefetches a batch ahead overlaps those trips.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void Prefetch(ulong hash)
    {
        if (!Sse.IsSupported) return;
        ref var slot = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_slots), (int)hash & _mask);
        var start = (byte*)Unsafe.AsPointer(ref slot);
        // A slot may span several cache lines (host counters are 144 bytes): fetch them all.
        for (var offset = 0; offset < Unsafe.SizeOf<Slot>(); offset += 64) Sse.Prefetch0(start + offset);
        Sse.Prefetch0(start + Unsafe.SizeOf<Slot>() - 1);
    }

    public bool Contains(in TKey key)
    {
        Find(key, out var found);
        return found;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref Slot Find(scoped in TKey key, out bool found) => ref Find(key, key.Hash(), out found);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref Slot Find(scoped in TKey key, ulong hash, out bool found)
    {
        ref var first = ref MemoryMarshal.GetArrayDataReference(_slots);
        var i = (int)hash & _mask;
        while (true)
        {
            ref var slot = ref Unsafe.Add(ref first, i);
            if (!slot.Used)
            {
                found = false;
                return ref slot;
            }
            if (slot.Key.Equals(key))
            {
                found = true;
                return ref slot;
            }
            i = (i + 1) & _mask;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private ref Slot Insert(scoped in TKey key)
    {
        if (Count >= Capacity) EvictLightHalf();
        else if ((Count + 1) * 3 > _slots.Length * 2 && _slots.Length < _maxSlots) Grow();
        ref var slot = ref Find(key, out _);
        slot.Used = true;
        slot.Key = key;
        slot.Value = default;
        slot.Error = MaxError;
        Count++;
        return ref slot;
    }

    /// <summary>Slots allocated now (a power of two).</summary>
    public int SlotCount => _slots.Length;

    /// <summary>
    /// Allocates at least <paramref name="slots"/> slots now (up to the capacity's maximum), so that a
    /// fresh table expected to hold as many keys as another does not rehash its way up while counting.
    /// </summary>
    public void ReserveSlots(int slots)
    {
        var target = (int)Math.Min(System.Numerics.BitOperations.RoundUpToPowerOf2((uint)slots), (uint)_maxSlots);
        if (target > _slots.Length) Resize(target);
    }

    private void Grow() => Resize(_slots.Length * 2);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Resize(int length)
    {
        var old = _slots;
        _slots = WrittenArray.New<Slot>(length);
        _mask = _slots.Length - 1;
        foreach (ref var slot in old.AsSpan())
        {
            if (!slot.Used) continue;
            ref var target = ref Find(slot.Key, out _);
            target = slot;
        }
    }

    /// <summary>Evicts every entry whose rank (counted + error) is at or below the median; returns the threshold.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long EvictLightHalf()
    {
        if (Count == 0) return 0;
        _ranks ??= new long[Capacity];
        if (_ranks.Length < Count) _ranks = new long[Count];
        var n = 0;
        foreach (ref var slot in _slots.AsSpan())
            if (slot.Used) _ranks[n++] = slot.Value.Rank + slot.Error;
        var threshold = Select.Nth(_ranks.AsSpan(0, n), Math.Max(0, n / 2 - 1));
        RemoveWhere(static (in Slot s, long t) => s.Value.Rank + s.Error <= t, threshold);
        MaxError = Math.Max(MaxError, threshold);
        return threshold;
    }

    public delegate bool SlotPredicate<TState>(in Slot slot, TState state);

    /// <summary>Removes matching entries (counted as folded) with backward-shift deletion, so no tombstones pile up.</summary>
    public int RemoveWhere<TState>(SlotPredicate<TState> predicate, TState state)
    {
        var removed = 0;
        var i = 0;
        while (i < _slots.Length)
        {
            ref var slot = ref _slots[i];
            if (slot.Used && predicate(slot, state))
            {
                RemoveAt(i);
                removed++;
                // The hole at i may now hold an entry shifted back from further on: look at i again.
                continue;
            }
            i++;
        }
        Count -= removed;
        Folded += removed;
        return removed;
    }

    private void RemoveAt(int hole)
    {
        var j = hole;
        while (true)
        {
            j = (j + 1) & _mask;
            ref var next = ref _slots[j];
            if (!next.Used) break;
            var home = (int)next.Key.Hash() & _mask;
            var stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (stays) continue;
            _slots[hole] = next;
            hole = j;
        }
        _slots[hole] = default;
    }

    /// <summary>Adds another table's entries; errors and fold counts add up.</summary>
    public void MergeFrom(BoundedTable<TKey, TValue> other)
    {
        foreach (ref var slot in other._slots.AsSpan())
        {
            if (!slot.Used) continue;
            ref var mine = ref Find(slot.Key, out var found);
            if (found)
            {
                mine.Value.Add(slot.Value);
                mine.Error += slot.Error;
                continue;
            }
            ref var added = ref Insert(slot.Key);
            added.Value.Add(slot.Value);
            added.Error += slot.Error;
        }
        MaxError += other.MaxError;
        Folded += other.Folded;
    }

    /// <summary>Takes over another table's fold count and error bound (for tables merged item by item).</summary>
    public void AddFoldStatistics(long folded, long maxError)
    {
        Folded += folded;
        MaxError += maxError;
    }

    public void Clear()
    {
        Array.Clear(_slots);
        Count = 0;
        Folded = 0;
        MaxError = 0;
    }

    /// <summary>The used slots (for building reports at the interval's end; not for the packet path).</summary>
    public IEnumerable<(TKey Key, TValue Value)> Entries()
    {
        for (var i = 0; i < _slots.Length; i++)
            if (_slots[i].Used) yield return (_slots[i].Key, _slots[i].Value);
    }
}

/// <summary>Quickselect (Hoare partition) for the eviction threshold: O(n) instead of a sort.</summary>
internal static class Select
{
    public static long Nth(Span<long> values, int k)
    {
        var lo = 0;
        var hi = values.Length - 1;
        while (lo < hi)
        {
            var pivot = values[lo + (hi - lo) / 2];
            var i = lo;
            var j = hi;
            while (i <= j)
            {
                while (values[i] < pivot) i++;
                while (values[j] > pivot) j--;
                if (i > j) break;
                (values[i], values[j]) = (values[j], values[i]);
                i++;
                j--;
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return values[k];
        }
        return values[k];
    }
}
