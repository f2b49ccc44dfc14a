using System.Runtime.CompilerServices;
using System.Buffers.Binary;
using System.Collections.Frozen;
using Microsoft.Win32.SafeHandles;

namespace Monitor.Probe.Capture;

/// <summary>
/// Reads classic pcap (either byte order, micro- or nanosecond) and pcapng files, one after another,
/// straight from large buffered reads: no native call and no allocation per packet, so reading is never
/// what limits the probe. Only with a BPF filter is there a native call per packet (libpcap runs it).
/// Damaged input throws <see cref="CaptureFileException"/> after every whole packet before it was delivered.
/// </summary>
public sealed class PcapFileSource : IPacketSource
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

    /// <summary>
    /// A file read in large chunks into one reused buffer; Span is the unread part. Ensure(n) compacts
    /// and refills so that at least n bytes are in the buffer when the file still has them.
    /// </summary>
    private sealed class BufferedFile : IDisposable
    {
        private readonly SafeFileHandle _handle;
        private readonly PcapFileSource _owner;
        private readonly long _before;
        private byte[] _buffer = new byte[BufferSize];
        private int _start;
        private int _end;
        /// <summary>File offset of _buffer[0].</summary>
        private long _bufferOffset;

        public BufferedFile(string path, long before, PcapFileSource owner)
        {
            Path = path;
            _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.SequentialScan);
            Length = RandomAccess.GetLength(_handle);
            _before = before;
            _owner = owner;
        }

        public string Path { get; }
        public long Length { get; }
        public int Available => _end - _start;
        public long Offset => _bufferOffset + _start;
        public ReadOnlySpan<byte> Span => new(_buffer, _start, _end - _start);

        public void Advance(int count) => _start += count;

        public bool Ensure(int count)
        {
            if (_end - _start >= count) return true;
            return Fill(count);
        }

        private bool Fill(int count)
        {
            if (count > _buffer.Length)
            {
                var larger = new byte[Math.Max(count, _buffer.Length * 2)];
                Buffer.BlockCopy(_buffer, _start, larger, 0, _end - _start);
                _buffer = larger;
            }
            else
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            }
            _bufferOffset += _start;
            _end -= _start;
            _start = 0;
            while (_end < count)
            {
                var read = RandomAccess.Read(_handle, _buffer.AsSpan(_end), _bufferOffset + _end);
                if (read == 0) break;
                _end += read;
            }
            Volatile.Write(ref _owner._bytesRead, _before + _bufferOffset);
            return _end >= count;
        }

        public CaptureFileException Damage(string problem) => new(Path, Offset, problem);

        public void Dispose() => _handle.Dispose();
    }
}
