using System.Buffers.Binary;
using Microsoft.Extensions.Logging;
using Monitor.Probe.Capture;
using Monitor.Probe.Dispatch;

namespace Monitor.Probe.Recording;

/// <summary>
/// Records every captured packet, as captured, into time-sliced pcap files with a block index beside
/// each (see <see cref="RecordingFiles"/>, <see cref="BlockIndex"/>). Attached as a tap: on the capture
/// thread a packet costs a copy into a pooled 1 MiB buffer already laid out as pcap records; the writer
/// thread writes whole buffers, indexes them, rotates slices and keeps the directory within its limits.
/// Offline the capture thread waits for a free buffer, so nothing is lost; live it never waits: a
/// packet that finds no free buffer is not recorded and is counted (<see cref="Dropped"/>, series
/// <c>record.dropped</c>). A disk that fills anyway pauses the recording with one warning line; counting
/// is never affected.
/// </summary>
public sealed class PacketRecorder : IPacketTap, IDisposable
{
    private const int PoolBuffers = 32;
    private const int BufferBytes = 1 << 20;

    private readonly RecordSettings _settings;
    private readonly bool _live;
    private readonly ILogger _logger;
    private readonly SpscQueue<RecordBuffer> _full = new(PoolBuffers + 1);
    private readonly SpscQueue<RecordBuffer> _free = new(PoolBuffers);
    private readonly RecordBuffer _stop = new(0);
    private readonly Thread _writer;
    private readonly SliceWriter _slices;
    private RecordBuffer? _current;
    private int _allocated;
    private long _dropped;
    private long _droppedTaken;
    private bool _completed;

    private PacketRecorder(RecordSettings settings, bool live, ILogger logger, TimeSpan retryAfter)
    {
        _settings = settings;
        _live = live;
        _logger = logger;
        _slices = new SliceWriter(settings, logger, retryAfter);
        _writer = new Thread(WriteLoop) { Name = "recorder", IsBackground = true };
    }

    /// <summary>Opens the directory (closing slices a previous run left open) and starts the writer thread.</summary>
    /// <param name="retryAfter">How long a paused recording waits before it tries the disk again (default 5 s).</param>
    public static PacketRecorder Start(RecordSettings settings, bool live, ILogger logger, TimeSpan? retryAfter = null)
    {
        var recorder = new PacketRecorder(settings, live, logger, retryAfter ?? TimeSpan.FromSeconds(5));
        recorder._slices.Open();
        recorder._writer.Start();
        logger.LogInformation("Recording every packet to {Directory} ({FileSeconds} s files, at most {MaxBytes} bytes and {MaxAge})",
            settings.Directory, settings.FileSeconds, settings.MaxBytes, settings.MaxAge);
        return recorder;
    }

    public RecordSettings Settings => _settings;

    /// <summary>Packets not recorded: no free buffer live, or the disk full or failing.</summary>
    public long Dropped => Volatile.Read(ref _dropped) + _slices.Dropped;

    /// <summary>Packets written to the recording so far.</summary>
    public long Recorded => _slices.Recorded;

    public bool Paused => _slices.Paused;

    /// <summary>Packets dropped since the last call (for the interval's <c>record.dropped</c>).</summary>
    public long TakeDropped()
    {
        var total = Dropped;
        return total - Interlocked.Exchange(ref _droppedTaken, total);
    }

    public bool Offer(in RawPacket packet)
    {
        var data = packet.Data;
        var captured = Math.Min(data.Length, _settings.SnapLength);
        // A live raw-IP interface reports DLT_RAW (12); files say LINKTYPE_RAW, as libpcap's own dumps do.
        var linkType = LinkTypes.IsRawIp(packet.LinkType) ? LinkTypes.Raw : packet.LinkType;
        var buffer = _current;
        if (buffer is null || buffer.Used + 16 + captured > buffer.Data.Length || buffer.LinkType != linkType
            || packet.Ticks - buffer.FirstTicks > TimeSpan.TicksPerSecond)
        {
            // A buffer goes to the writer when full, at a new link type, or a second old, so the files trail the wire by at most that.
            if (buffer is { Count: > 0 })
            {
                _full.Enqueue(buffer);
                buffer = _current = null;
            }
            buffer ??= _current = NextFree();
            if (buffer is null)
            {
                _dropped++;
                return true;
            }
            buffer.LinkType = linkType;
            buffer.FirstTicks = packet.Ticks;
        }
        var record = buffer.Data.AsSpan(buffer.Used, 16 + captured);
        var micros = (packet.Ticks - DateTime.UnixEpoch.Ticks) / 10;
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)(micros / 1_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)(micros % 1_000_000));
        BinaryPrimitives.WriteInt32LittleEndian(record[8..], captured);
        BinaryPrimitives.WriteInt32LittleEndian(record[12..], Math.Max(packet.WireLength, captured));
        data[..captured].CopyTo(record[16..]);
        buffer.Used += 16 + captured;
        buffer.Count++;
        return true;
    }

    private RecordBuffer? NextFree()
    {
        if (_free.TryDequeue(out var buffer)) return buffer;
        if (_allocated < PoolBuffers)
        {
            _allocated++;
            return new RecordBuffer(BufferBytes);
        }
        return _live ? null : _free.Dequeue();
    }

    /// <summary>
    /// On the capture thread once the input has ended: hands over the last buffer, waits for the
    /// writer and closes the open slice.
    /// </summary>
    public void Complete()
    {
        if (_completed) return;
        _completed = true;
        if (_current is { Count: > 0 } last) _full.Enqueue(last);
        _current = null;
        _full.Enqueue(_stop);
        _writer.Join();
    }

    public void Dispose() => Complete();

    private void WriteLoop()
    {
        while (true)
        {
            var buffer = _full.Dequeue();
            if (ReferenceEquals(buffer, _stop)) break;
            try
            {
                _slices.Write(buffer);
            }
            catch (Exception e)
            {
                // Nothing here may stop the capture; the slice writer has counted what it lost.
                _logger.LogError(e, "Recording failed on a buffer of {Packets} packets", buffer.Count);
            }
            buffer.Reset();
            _free.Enqueue(buffer);
        }
        _slices.Close();
    }
}

/// <summary>Packets laid out as pcap records (16-byte header, then the captured bytes), all of one link type.</summary>
internal sealed class RecordBuffer(int bytes)
{
    public readonly byte[] Data = new byte[bytes];
    public int Used;
    public int Count;
    public int LinkType;
    public long FirstTicks;

    public void Reset()
    {
        Used = 0;
        Count = 0;
    }
}
