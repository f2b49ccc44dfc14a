using System.Runtime.CompilerServices;
using Monitor.Probe.Capture;
using Monitor.Probe.Decode;
using Monitor.Probe.Merge;

namespace Monitor.Probe.Dispatch;

/// <summary>
/// Packets copied into one big buffer so the capture thread hands them to a worker in one queue
/// operation, each decoded as it is copied: the capture thread has the bytes in its cache then, while
/// a worker decoding them waited on memory for each packet, and with two table groups both workers did
/// (measured: decoding was 11 % of the probe's CPU, most of it on the worker that touched a batch first).
/// A batch may carry a boundary marker that the worker acts on after its packets.
/// Batches are pooled: a worker returns each one to its dispatcher once counted.
/// </summary>
internal sealed class PacketBatch
{
    /// <summary>Twice the largest snap length, so any packet fits into an empty batch.</summary>
    public const int BufferBytes = 1 << 19;
    public const int MaxPackets = 2048;

    /// <summary>Where one packet is in the buffer and what the capture said of it: one entry per packet, one cache line for two.</summary>
    private struct Entry
    {
        public long Ticks;
        public int Offset;
        public int Length;
        public int WireLength;
        public int LinkType;
    }

    private readonly byte[] _buffer = new byte[BufferBytes];
    private readonly Entry[] _entries = new Entry[MaxPackets];
    private readonly DecodedPacket[] _decoded = new DecodedPacket[MaxPackets];
    private int _used;

    private int _holders;

    public int Count { get; private set; }

    /// <summary>Hands the batch to <paramref name="workers"/> workers at once (threads that split the tables).</summary>
    public void ShareWith(int workers) => _holders = workers;

    /// <summary>A worker is done with the batch; true for the last one, which recycles it.</summary>
    public bool Release() => Interlocked.Decrement(ref _holders) <= 0;

    /// <summary>Set on the batch that ends a second (and maybe an interval) for its worker.</summary>
    public Boundary? Boundary { get; set; }

    /// <summary>
    /// Seconds that ended inside this batch (offline only): each applies after its first
    /// <see cref="SecondEnd.Packets"/> packets. Reading a capture, a quiet second then costs a mark in the
    /// running batch instead of a batch, a queue hand-off and a wake-up of every worker; a day of sparse
    /// traffic has 86,400 of them. An interval's end still ends the batch, since the tables change hands there.
    /// </summary>
    public List<SecondEnd> SecondEnds { get; } = new();

    /// <summary>Ends the running second after the packets added so far, without ending the batch.</summary>
    public void EndSecond(Boundary boundary) => SecondEnds.Add(new SecondEnd(Count, boundary));

    /// <summary>Copies the packet in; false when it does not fit and the batch must be sent first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryAdd(in RawPacket packet)
    {
        var data = packet.Data;
        if (Count == MaxPackets || _used + data.Length > BufferBytes) return false;
        data.CopyTo(_buffer.AsSpan(_used));
        PacketDecoder.Decode(packet, ref _decoded[Count]);
        ref var entry = ref _entries[Count++];
        entry.Offset = _used;
        entry.Length = data.Length;
        entry.WireLength = packet.WireLength;
        entry.LinkType = packet.LinkType;
        entry.Ticks = packet.Ticks;
        _used += data.Length;
        return true;
    }

    /// <summary>The packets as decoded when they were added, in order.</summary>
    public ReadOnlySpan<DecodedPacket> Decoded => _decoded.AsSpan(0, Count);

    public RawPacket this[int index]
    {
        get
        {
            ref readonly var entry = ref _entries[index];
            return new(entry.Ticks, entry.WireLength, entry.LinkType, _buffer.AsSpan(entry.Offset, entry.Length));
        }
    }

    public void Reset()
    {
        Count = 0;
        _used = 0;
        Boundary = null;
        SecondEnds.Clear();
    }
}

/// <summary>A second's end inside a batch: after its first <paramref name="Packets"/> packets.</summary>
internal readonly record struct SecondEnd(int Packets, Boundary Boundary);
