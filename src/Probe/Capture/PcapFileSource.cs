using System.Buffers.Binary;
using System.Collections.Frozen;

namespace Monitor.Probe.Capture;

/// <summary>
/// Reads classic pcap (either byte order, micro- or nanosecond) and pcapng files, one after another,
/// straight from large buffered reads: no native call and no allocation per packet, so reading is never
/// what limits the probe. Only with a BPF filter is there a native call per packet (libpcap runs it).
/// Damaged input throws <see cref="CaptureFileException"/> after every whole packet before it was delivered.
/// </summary>
public sealed partial class PcapFileSource : IPacketSource
{
    private const int BufferSize = 4 << 20;
    /// <summary>libpcap's own ceiling for a record it will read (a larger one is taken as damage).</summary>
    private const int MaxRecordLength = 16 << 20;
    private const int DefaultMaxSnapLength = 262144;
    private const long UnixEpochTicks = 621_355_968_000_000_000L;

    private const uint PcapMicros = 0xA1B2C3D4;
    private const uint PcapNanos = 0xA1B23C4D;
    private const uint PcapngSectionHeader = 0x0A0D0D0A;
    private const uint PcapngByteOrderMagic = 0x1A2B3C4D;

    private readonly IReadOnlyList<string> _files;
    private readonly string? _filterExpression;
    private readonly Dictionary<int, BpfFilter> _filters = new();
    private readonly HashSet<int> _linkTypes = new();
    private IReadOnlySet<int> _linkTypesSnapshot = FrozenSet<int>.Empty;
    private long _bytesRead;
    private long _packetsRead;

    public PcapFileSource(IReadOnlyList<string> files, string? bpfFilter = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count == 0) throw new ArgumentException("at least one capture file is needed", nameof(files));
        _files = files;
        if (!string.IsNullOrWhiteSpace(bpfFilter))
        {
            _filterExpression = bpfFilter;
            // Compile once up front so that a bad expression is reported before anything is read.
            _filters[LinkTypes.Ethernet] = BpfFilter.Compile(bpfFilter, LinkTypes.Ethernet);
        }
        long total = 0;
        foreach (var file in files)
        {
            try
            {
                total += new FileInfo(file).Length;
            }
            catch (IOException)
            {
                // Reported with its name when the file's turn comes.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        TotalBytes = total;
    }

    /// <summary>The file as resolved (a relative name is read from the working directory), so the log says which one.</summary>
    public string Description => _files.Count == 1 ? Path.GetFullPath(_files[0]) : $"{Path.GetFullPath(_files[0])} and {_files.Count - 1} more file(s)";

    public CaptureStatistics? Statistics => null;

    /// <summary>Bytes of all files consumed so far (for a progress bar; read from any thread).</summary>
    public long BytesRead => Volatile.Read(ref _bytesRead);

    /// <summary>Sum of the files' sizes.</summary>
    public long TotalBytes { get; }

    /// <summary>Packets read so far, before any filter.</summary>
    public long PacketsRead => Volatile.Read(ref _packetsRead);

    /// <summary>libpcap link types (DLT) of the files' interfaces so far.</summary>
    public IReadOnlySet<int> LinkTypesSeen => Volatile.Read(ref _linkTypesSnapshot);

    public void Run(IPacketReceiver receiver, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        long before = 0;
        foreach (var file in _files)
        {
            if (cancellationToken.IsCancellationRequested) return;
            using (var reader = Open(file, before))
            {
                var magic = reader.Ensure(4) ? BinaryPrimitives.ReadUInt32LittleEndian(reader.Span) : 0;
                if (reader.Length == 0) throw new CaptureFileException(file, 0, "empty file (no capture header)");
                if (magic == PcapngSectionHeader)
                {
                    ReadPcapng(reader, receiver, cancellationToken);
                }
                else if (magic is PcapMicros or PcapNanos || BinaryPrimitives.ReverseEndianness(magic) is PcapMicros or PcapNanos)
                {
                    ReadPcap(reader, receiver, cancellationToken);
                }
                else
                {
                    throw new CaptureFileException(file, 0, $"not a pcap or pcapng file (starts with 0x{magic:X8})");
                }
                before += reader.Length;
            }
            Volatile.Write(ref _bytesRead, before);
        }
    }

    private BufferedFile Open(string file, long before)
    {
        try
        {
            return new BufferedFile(file, before, this);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CaptureFileException(file, 0, $"cannot open ({e.Message})");
        }
    }


    private void NoteLinkType(int linkType)
    {
        if (_linkTypes.Add(linkType)) Volatile.Write(ref _linkTypesSnapshot, _linkTypes.ToFrozenSet());
    }

    private BpfFilter? FilterFor(int linkType)
    {
        if (_filterExpression is null) return null;
        if (!_filters.TryGetValue(linkType, out var filter))
        {
            filter = BpfFilter.Compile(_filterExpression, linkType);
            _filters[linkType] = filter;
        }
        return filter;
    }

    private static uint ReadUInt32(ReadOnlySpan<byte> span, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(span) : BinaryPrimitives.ReadUInt32LittleEndian(span);

    private static ushort ReadUInt16(ReadOnlySpan<byte> span, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(span) : BinaryPrimitives.ReadUInt16LittleEndian(span);

    public void Dispose()
    {
        foreach (var filter in _filters.Values) filter.Dispose();
        _filters.Clear();
    }
}
