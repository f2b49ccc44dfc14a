using System.Runtime.CompilerServices;
using Monitor.Probe.Capture;

namespace Monitor.Probe.Dispatch;

/// <summary>
/// Packets copied into one big buffer so the capture thread hands them to a worker in one queue
/// operation. A batch may carry a boundary marker that the worker acts on after its packets.
/// Batches are pooled: a worker returns each one to its dispatcher once counted.
/// </summary>
internal sealed class PacketBatch
{
    /// <summary>Twice the largest snap length, so any packet fits into an empty batch.</summary>
    public const int BufferBytes = 1 << 19;
    public const int MaxPackets = 2048;

    private readonly byte[] _buffer = new byte[BufferBytes];
    private readonly int[] _offsets = new int[MaxPackets];
    private readonly int[] _lengths = new int[MaxPackets];
    private readonly int[] _wireLengths = new int[MaxPackets];
    private readonly int[] _linkTypes = new int[MaxPackets];
    private readonly long[] _ticks = new long[MaxPackets];
    private int _used;

    public int Count { get; private set; }

    /// <summary>Set on the batch that ends a second (and maybe an interval) for its worker.</summary>
    public Boundary? Boundary { get; set; }

    /// <summary>Copies the packet in; false when it does not fit and the batch must be sent first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryAdd(in RawPacket packet)
    {
        var data = packet.Data;
        if (Count == MaxPackets || _used + data.Length > BufferBytes) return false;
        data.CopyTo(_buffer.AsSpan(_used));
        var i = Count++;
        _offsets[i] = _used;
        _lengths[i] = data.Length;
        _wireLengths[i] = packet.WireLength;
        _linkTypes[i] = packet.LinkType;
        _ticks[i] = packet.Ticks;
        _used += data.Length;
        return true;
    }

    public RawPacket this[int index] =>
        new(_ticks[index], _wireLengths[index], _linkTypes[index], _buffer.AsSpan(_offsets[index], _lengths[index]));

    public void Reset()
    {
        Count = 0;
        _used = 0;
        Boundary = null;
    }
}
