using System.Buffers.Binary;

namespace Monitor.Probe.Capture;

/// <summary>
/// Writes classic pcap (microsecond timestamps). Used for evidence captures and by test and
/// benchmark generators; buffered so a multi-million-packet file writes at disk speed.
/// </summary>
public sealed class PcapFileWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly byte[] _header = new byte[16];

    public PcapFileWriter(string path, int linkType = LinkTypes.Ethernet, int snapLength = 262144)
        : this(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 20), linkType, snapLength)
    {
    }

    public PcapFileWriter(Stream stream, int linkType = LinkTypes.Ethernet, int snapLength = 262144)
    {
        _stream = stream;
        Span<byte> fileHeader = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(fileHeader, 0xA1B2C3D4);
        BinaryPrimitives.WriteUInt16LittleEndian(fileHeader[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(fileHeader[6..], 4);
        BinaryPrimitives.WriteInt32LittleEndian(fileHeader[16..], snapLength);
        BinaryPrimitives.WriteInt32LittleEndian(fileHeader[20..], linkType);
        _stream.Write(fileHeader);
        SnapLength = snapLength;
    }

    public int SnapLength { get; }
    public long PacketsWritten { get; private set; }

    /// <summary>Writes a packet; data longer than the snap length is cut, wireLength keeps the original size.</summary>
    public void Write(DateTimeOffset time, ReadOnlySpan<byte> data, int wireLength = -1)
    {
        var captured = Math.Min(data.Length, SnapLength);
        var unixMicros = (time.UtcTicks - DateTime.UnixEpoch.Ticks) / 10;
        BinaryPrimitives.WriteUInt32LittleEndian(_header, (uint)(unixMicros / 1_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(_header.AsSpan(4), (uint)(unixMicros % 1_000_000));
        BinaryPrimitives.WriteInt32LittleEndian(_header.AsSpan(8), captured);
        BinaryPrimitives.WriteInt32LittleEndian(_header.AsSpan(12), wireLength < 0 ? data.Length : wireLength);
        _stream.Write(_header);
        _stream.Write(data[..captured]);
        PacketsWritten++;
    }

    public void Flush() => _stream.Flush();

    public void Dispose() => _stream.Dispose();
}
