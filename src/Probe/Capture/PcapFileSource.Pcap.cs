using System.Runtime.CompilerServices;
using System.Buffers.Binary;

namespace Monitor.Probe.Capture;

// Classic pcap: a 24-byte file header, then 16-byte record headers in the file's byte order.
public sealed partial class PcapFileSource
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ReadPcap(BufferedFile reader, IPacketReceiver receiver, CancellationToken cancellationToken)
    {
        if (!reader.Ensure(24)) throw reader.Damage("pcap file header cut short");
        var header = reader.Span;
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(header);
        var swapped = magic is not (PcapMicros or PcapNanos);
        if (swapped) magic = BinaryPrimitives.ReverseEndianness(magic);
        var nanos = magic == PcapNanos;
        var snapLength = (int)Math.Min(ReadUInt32(header[16..], swapped), int.MaxValue);
        // The upper bits carry FCS information; the link type is the low 16 bits.
        var linkType = (int)(ReadUInt32(header[20..], swapped) & 0xFFFF);
        var maxRecord = Math.Min(Math.Max(snapLength, DefaultMaxSnapLength), MaxRecordLength);
        NoteLinkType(linkType);
        var filter = FilterFor(linkType);
        reader.Advance(24);

        var checkCancel = 0;
        while (true)
        {
            if (!reader.Ensure(16))
            {
                if (reader.Available == 0) return;
                throw reader.Damage($"packet record header cut short ({reader.Available} of 16 bytes)");
            }
            var record = reader.Span;
            var seconds = ReadUInt32(record, swapped);
            var fraction = ReadUInt32(record[4..], swapped);
            var captured = ReadUInt32(record[8..], swapped);
            var wire = ReadUInt32(record[12..], swapped);
            if (captured > (uint)maxRecord)
            {
                throw reader.Damage($"packet record claims {captured} captured bytes, more than the maximum {maxRecord}");
            }
            if (!reader.Ensure(16 + (int)captured))
            {
                throw reader.Damage($"packet record cut short (needs {16 + captured} bytes, {reader.Available} left)");
            }
            var ticks = UnixEpochTicks + seconds * 10_000_000L + (nanos ? fraction / 100 : fraction * 10L);
            var data = reader.Span.Slice(16, (int)captured);
            var packet = new RawPacket(ticks, (int)Math.Min(wire, int.MaxValue), linkType, data);
            reader.Advance(16 + (int)captured);
            _packetsRead++;
            if (filter is null || filter.Matches(packet)) receiver.Receive(packet);
            if (++checkCancel == 4096)
            {
                checkCancel = 0;
                if (cancellationToken.IsCancellationRequested) return;
            }
        }
    }
}
