using System.Runtime.CompilerServices;
using System.Buffers.Binary;

namespace Monitor.Probe.Capture;

// pcapng: blocks; interfaces (IDB) carry each packet's link type and timestamp unit.
public sealed partial class PcapFileSource
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ReadPcapng(BufferedFile reader, IPacketReceiver receiver, CancellationToken cancellationToken)
    {
        var interfaces = new List<PcapngInterface>();
        var bigEndian = false;
        var lastTicks = 0L;
        var lastLinkType = -1;
        BpfFilter? filter = null;
        var checkCancel = 0;
        while (true)
        {
            if (!reader.Ensure(12))
            {
                if (reader.Available == 0) return;
                throw reader.Damage($"block header cut short ({reader.Available} bytes left)");
            }
            var type = ReadUInt32(reader.Span, bigEndian);
            if (type == PcapngSectionHeader)
            {
                // A new section may switch byte order; its interfaces start afresh.
                var byteOrder = BinaryPrimitives.ReadUInt32LittleEndian(reader.Span[8..]);
                if (byteOrder == PcapngByteOrderMagic) bigEndian = false;
                else if (byteOrder == BinaryPrimitives.ReverseEndianness(PcapngByteOrderMagic)) bigEndian = true;
                else throw reader.Damage($"section header with a bad byte-order magic 0x{byteOrder:X8}");
                interfaces.Clear();
                lastLinkType = -1;
            }
            var length = ReadUInt32(reader.Span[4..], bigEndian);
            if (length < 12 || length % 4 != 0)
            {
                throw reader.Damage($"block of type 0x{type:X8} has a bad length {length}");
            }
            if (length > MaxRecordLength)
            {
                throw reader.Damage($"block of type 0x{type:X8} claims {length} bytes, more than the maximum {MaxRecordLength}");
            }
            if (!reader.Ensure((int)length))
            {
                throw reader.Damage($"block cut short (needs {length} bytes, {reader.Available} left)");
            }
            var block = reader.Span[..(int)length];
            var trailer = ReadUInt32(block[^4..], bigEndian);
            if (trailer != length)
            {
                throw reader.Damage($"block length {length} does not match its trailing length {trailer}");
            }
            var body = block[8..^4];
            switch (type)
            {
                case 6: // enhanced packet block
                case 2: // obsolete packet block
                {
                    if (body.Length < 20) throw reader.Damage($"packet block too short ({length} bytes)");
                    var interfaceId = type == 6 ? ReadUInt32(body, bigEndian) : ReadUInt16(body, bigEndian);
                    if (interfaceId >= (uint)interfaces.Count)
                    {
                        throw reader.Damage($"packet block names interface {interfaceId}, but the section has {interfaces.Count}");
                    }
                    var captured = ReadUInt32(body[12..], bigEndian);
                    var wire = ReadUInt32(body[16..], bigEndian);
                    if (captured > (uint)(body.Length - 20))
                    {
                        throw reader.Damage($"packet block claims {captured} captured bytes but holds {body.Length - 20}");
                    }
                    var timestamp = ((ulong)ReadUInt32(body[4..], bigEndian) << 32) | ReadUInt32(body[8..], bigEndian);
                    var nic = interfaces[(int)interfaceId];
                    lastTicks = nic.ToTicks(timestamp);
                    if (nic.LinkType != lastLinkType)
                    {
                        lastLinkType = nic.LinkType;
                        filter = FilterFor(lastLinkType);
                    }
                    var packet = new RawPacket(lastTicks, (int)Math.Min(wire, int.MaxValue), nic.LinkType, body.Slice(20, (int)captured));
                    _packetsRead++;
                    if (filter is null || filter.Matches(packet)) receiver.Receive(packet);
                    break;
                }
                case 3: // simple packet block: interface 0, no timestamp (keeps the previous packet's time)
                {
                    if (body.Length < 4) throw reader.Damage($"simple packet block too short ({length} bytes)");
                    if (interfaces.Count == 0) throw reader.Damage("simple packet block before any interface description");
                    var nic = interfaces[0];
                    var wire = ReadUInt32(body, bigEndian);
                    var captured = (int)Math.Min(wire, (uint)(body.Length - 4));
                    if (nic.SnapLength > 0) captured = Math.Min(captured, nic.SnapLength);
                    if (nic.LinkType != lastLinkType)
                    {
                        lastLinkType = nic.LinkType;
                        filter = FilterFor(lastLinkType);
                    }
                    var packet = new RawPacket(lastTicks, (int)Math.Min(wire, int.MaxValue), nic.LinkType, body.Slice(4, captured));
                    _packetsRead++;
                    if (filter is null || filter.Matches(packet)) receiver.Receive(packet);
                    break;
                }
                case 1: // interface description block
                {
                    if (body.Length < 8) throw reader.Damage($"interface description block too short ({length} bytes)");
                    var nic = PcapngInterface.Parse(body, bigEndian);
                    interfaces.Add(nic);
                    NoteLinkType(nic.LinkType);
                    break;
                }
            }
            reader.Advance((int)length);
            if (++checkCancel == 4096)
            {
                checkCancel = 0;
                if (cancellationToken.IsCancellationRequested) return;
            }
        }
    }

    /// <summary>One pcapng interface: its link type and how its timestamps become ticks.</summary>
    private readonly record struct PcapngInterface(int LinkType, int SnapLength, ulong UnitsPerSecond, int BinaryExponent, long OffsetTicks)
    {
        public static PcapngInterface Parse(ReadOnlySpan<byte> body, bool bigEndian)
        {
            var linkType = ReadUInt16(body, bigEndian);
            var snapLength = (int)Math.Min(ReadUInt32(body[4..], bigEndian), int.MaxValue);
            ulong unitsPerSecond = 1_000_000;
            var binaryExponent = -1;
            long offsetTicks = 0;
            var options = body[8..];
            while (options.Length >= 4)
            {
                var code = ReadUInt16(options, bigEndian);
                var optionLength = ReadUInt16(options[2..], bigEndian);
                if (code == 0 || 4 + optionLength > options.Length) break;
                var value = options.Slice(4, optionLength);
                if (code == 9 && optionLength >= 1)
                {
                    // if_tsresol: high bit set = a power of two, else a power of ten.
                    var exponent = value[0] & 0x7F;
                    if ((value[0] & 0x80) != 0)
                    {
                        if (exponent <= 63) binaryExponent = exponent;
                    }
                    else if (exponent <= 19)
                    {
                        unitsPerSecond = 1;
                        for (var i = 0; i < exponent; i++) unitsPerSecond *= 10;
                    }
                }
                else if (code == 14 && optionLength >= 8)
                {
                    var seconds = bigEndian ? BinaryPrimitives.ReadInt64BigEndian(value) : BinaryPrimitives.ReadInt64LittleEndian(value);
                    offsetTicks = seconds * TimeSpan.TicksPerSecond;
                }
                options = options[Math.Min(options.Length, 4 + ((optionLength + 3) & ~3))..];
            }
            return new PcapngInterface(linkType, snapLength, unitsPerSecond, binaryExponent, offsetTicks);
        }

        public long ToTicks(ulong timestamp)
        {
            ulong ticks;
            if (BinaryExponent >= 0)
            {
                ticks = (ulong)(((UInt128)timestamp * 10_000_000UL) >> BinaryExponent);
            }
            else if (UnitsPerSecond == 1_000_000)
            {
                ticks = timestamp * 10;
            }
            else if (UnitsPerSecond <= 10_000_000)
            {
                ticks = timestamp * (10_000_000 / UnitsPerSecond);
            }
            else
            {
                ticks = timestamp / (UnitsPerSecond / 10_000_000);
            }
            return UnixEpochTicks + OffsetTicks + (long)Math.Min(ticks, (ulong)(DateTime.MaxValue.Ticks - UnixEpochTicks));
        }
    }
}
