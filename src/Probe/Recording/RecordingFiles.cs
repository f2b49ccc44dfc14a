using System.Buffers.Binary;
using System.Globalization;

namespace Monitor.Probe.Recording;

/// <summary>
/// The layout of a recording directory. Each time slice is <c>yyyyMMddTHHmmssZ.pcap</c> (classic pcap,
/// microsecond stamps) with its index <c>yyyyMMddTHHmmssZ.idx</c>; the slice being written carries
/// <c>.part</c> on both names until it closes. Its index lists only blocks already written to the pcap,
/// so a reader of an open slice reads whole packets only.
/// </summary>
public static class RecordingFiles
{
    public const string PcapExtension = ".pcap";
    public const string IndexExtension = ".idx";
    public const string OpenSuffix = ".part";
    public const int IndexHeaderBytes = 24;
    private static ReadOnlySpan<byte> IndexMagic => "MONIDX01"u8;
    private const string StampFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>The slice's base name (no extension) for its start time, with a counter if a slice of that start exists.</summary>
    public static string NewBaseName(string directory, long startTicks)
    {
        var stamp = new DateTime(startTicks, DateTimeKind.Utc).ToString(StampFormat, CultureInfo.InvariantCulture);
        var name = stamp;
        for (var n = 1; File.Exists(Path.Combine(directory, name + PcapExtension))
             || File.Exists(Path.Combine(directory, name + PcapExtension + OpenSuffix)); n++)
            name = $"{stamp}-{n}";
        return name;
    }

    /// <summary>Start time of a slice from its file name, or null for a file that is not a slice.</summary>
    public static DateTimeOffset? StartOf(string path)
    {
        var name = Path.GetFileName(path);
        if (name.Length < 16) return null;
        return DateTime.TryParseExact(name[..16], StampFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var start)
            ? new DateTimeOffset(start, TimeSpan.Zero)
            : null;
    }

    public static void WriteIndexHeader(Span<byte> header, int linkType, int snapLength)
    {
        header.Clear();
        IndexMagic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], linkType);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], snapLength);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], BlockIndex.EntryBytes);
    }

    /// <summary>Link type and snap length from an index header; false if it is not one of ours.</summary>
    public static bool TryReadIndexHeader(ReadOnlySpan<byte> header, out int linkType, out int snapLength)
    {
        linkType = snapLength = 0;
        if (header.Length < IndexHeaderBytes || !header[..8].SequenceEqual(IndexMagic)
            || BinaryPrimitives.ReadInt32LittleEndian(header[16..]) != BlockIndex.EntryBytes) return false;
        linkType = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        snapLength = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
        return true;
    }

    public static void WritePcapHeader(Span<byte> header, int linkType, int snapLength)
    {
        header.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0xA1B2C3D4);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], snapLength);
        BinaryPrimitives.WriteInt32LittleEndian(header[20..], linkType);
    }

    /// <summary>UTC ticks of a pcap record header (microsecond stamps, little-endian as we write them).</summary>
    public static long RecordTicks(ReadOnlySpan<byte> recordHeader) =>
        DateTime.UnixEpoch.Ticks
        + BinaryPrimitives.ReadUInt32LittleEndian(recordHeader) * TimeSpan.TicksPerSecond
        + BinaryPrimitives.ReadUInt32LittleEndian(recordHeader[4..]) * 10L;
}
