using System.Buffers.Binary;

namespace Monitor.Probe.Tests.Capture;

/// <summary>Writes pcapng blocks in either byte order, so tests can make any (also broken) pcapng file.</summary>
public sealed class PcapngBuilder(bool bigEndian = false)
{
    private readonly MemoryStream _stream = new();

    public byte[] ToArray() => _stream.ToArray();

    public PcapngBuilder SectionHeader()
    {
        var body = new byte[16];
        U32(body, 0, 0x1A2B3C4D);
        U16(body, 4, 1);
        BinaryPrimitives.WriteInt64LittleEndian(body.AsSpan(8), -1);
        return Block(0x0A0D0D0A, body);
    }

    /// <summary>An interface; tsresol is the raw if_tsresol byte (null = default microseconds).</summary>
    public PcapngBuilder Interface(int linkType, int snapLength = 0, byte? tsresol = null, long? tsoffsetSeconds = null)
    {
        var options = new List<byte>();
        if (tsresol is { } resolution) options.AddRange(Option(9, [resolution]));
        if (tsoffsetSeconds is { } offset)
        {
            var value = new byte[8];
            if (bigEndian) BinaryPrimitives.WriteInt64BigEndian(value, offset);
            else BinaryPrimitives.WriteInt64LittleEndian(value, offset);
            options.AddRange(Option(14, value));
        }
        if (options.Count > 0) options.AddRange(Option(0, []));
        var body = new byte[8 + options.Count];
        U16(body, 0, (ushort)linkType);
        U32(body, 4, (uint)snapLength);
        options.CopyTo(body, 8);
        return Block(1, body);
    }

    public PcapngBuilder Enhanced(int interfaceId, ulong timestamp, byte[] data, int wireLength = -1)
    {
        var body = new byte[20 + Pad(data.Length)];
        U32(body, 0, (uint)interfaceId);
        U32(body, 4, (uint)(timestamp >> 32));
        U32(body, 8, (uint)timestamp);
        U32(body, 12, (uint)data.Length);
        U32(body, 16, (uint)(wireLength < 0 ? data.Length : wireLength));
        data.CopyTo(body, 20);
        return Block(6, body);
    }

    public PcapngBuilder Simple(byte[] data, int wireLength = -1)
    {
        var body = new byte[4 + Pad(data.Length)];
        U32(body, 0, (uint)(wireLength < 0 ? data.Length : wireLength));
        data.CopyTo(body, 4);
        return Block(3, body);
    }

    public PcapngBuilder Obsolete(int interfaceId, ulong timestamp, byte[] data)
    {
        var body = new byte[20 + Pad(data.Length)];
        U16(body, 0, (ushort)interfaceId);
        U32(body, 4, (uint)(timestamp >> 32));
        U32(body, 8, (uint)timestamp);
        U32(body, 12, (uint)data.Length);
        U32(body, 16, (uint)data.Length);
        data.CopyTo(body, 20);
        return Block(2, body);
    }

    public PcapngBuilder Block(uint type, byte[] body)
    {
        var block = new byte[12 + body.Length];
        U32(block, 0, type);
        U32(block, 4, (uint)block.Length);
        body.CopyTo(block, 8);
        U32(block, block.Length - 4, (uint)block.Length);
        _stream.Write(block);
        return this;
    }

    public PcapngBuilder Raw(byte[] bytes)
    {
        _stream.Write(bytes);
        return this;
    }

    public long Length => _stream.Length;

    private byte[] Option(ushort code, byte[] value)
    {
        var option = new byte[4 + Pad(value.Length)];
        U16(option, 0, code);
        U16(option, 2, (ushort)value.Length);
        value.CopyTo(option, 4);
        return option;
    }

    private static int Pad(int length) => (length + 3) & ~3;

    private void U32(byte[] buffer, int at, uint value)
    {
        if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(at), value);
        else BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(at), value);
    }

    private void U16(byte[] buffer, int at, ushort value)
    {
        if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(at), value);
        else BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(at), value);
    }
}
