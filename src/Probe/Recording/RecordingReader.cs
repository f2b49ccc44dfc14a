using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using Monitor.Probe.Capture;

namespace Monitor.Probe.Recording;

/// <summary>One time slice of a recording; <see cref="Open"/> while the recorder still writes it.</summary>
public sealed record RecordingSlice(string BaseName, DateTimeOffset Start, bool Open);

/// <summary>What an extraction wrote and read.</summary>
public sealed record ExtractResult(long Packets, long Bytes, bool Truncated, int Slices, long BlocksRead, long BlocksSkipped, int OtherLinkTypeSlices);

/// <summary>
/// Pulls the packets of a time range that match a BPF expression out of a recording directory into one
/// pcap stream. Per slice it reads the index, then only the blocks whose time range overlaps and whose
/// address/port filter may hold the expression's hosts and ports (<see cref="IndexTerms"/>); libpcap
/// decides each packet. Open slices are read up to their last indexed block, so nothing half-written is
/// served. The output takes the link type of the first slice in range; slices of another link type are
/// skipped and counted (a pcap has one).
/// </summary>
public static class RecordingReader
{
    /// <summary>A slice can hold packets up to one slice length (at most an hour) before its name's time.</summary>
    private static readonly TimeSpan EarlyMargin = TimeSpan.FromHours(1);

    public static IReadOnlyList<RecordingSlice> List(string directory)
    {
        if (!Directory.Exists(directory)) return [];
        var slices = new List<RecordingSlice>();
        foreach (var path in Directory.EnumerateFiles(directory))
        {
            var name = Path.GetFileName(path);
            bool open;
            string baseName;
            if (name.EndsWith(RecordingFiles.PcapExtension, StringComparison.Ordinal))
                (open, baseName) = (false, name[..^RecordingFiles.PcapExtension.Length]);
            else if (name.EndsWith(RecordingFiles.PcapExtension + RecordingFiles.OpenSuffix, StringComparison.Ordinal))
                (open, baseName) = (true, name[..^(RecordingFiles.PcapExtension.Length + RecordingFiles.OpenSuffix.Length)]);
            else continue;
            if (RecordingFiles.StartOf(baseName) is { } start) slices.Add(new RecordingSlice(baseName, start, open));
        }
        return [.. slices.OrderBy(s => s.Start).ThenBy(s => s.BaseName, StringComparer.Ordinal)];
    }

    /// <summary>Compiles the filter for the link type the extraction would write (the first slice in range's), before anything is sent.</summary>
    /// <exception cref="CaptureFilterException">libpcap does not accept the filter.</exception>
    public static void CheckFilter(string directory, DateTimeOffset from, DateTimeOffset to, string? filter)
    {
        if (string.IsNullOrWhiteSpace(filter)) return;
        var linkType = LinkTypes.Ethernet;
        var snapLength = 262144;
        foreach (var slice in List(directory))
        {
            if (slice.Start.UtcTicks >= to.UtcTicks + EarlyMargin.Ticks) continue;
            if (ReadIndex(directory, slice) is not { } index) continue;
            (linkType, snapLength, _) = index;
            break;
        }
        BpfFilter.Compile(filter, linkType, snapLength).Dispose();
    }

    /// <summary>Writes a pcap of the packets in [from, to) matching <paramref name="filter"/> (all when empty).</summary>
    /// <exception cref="CaptureFilterException">libpcap does not accept the filter for a slice's link type.</exception>
    public static async Task<ExtractResult> ExtractAsync(string directory, DateTimeOffset from, DateTimeOffset to, string? filter,
        long maxPackets, long maxBytes, Stream output, CancellationToken cancellationToken)
    {
        var terms = IndexTerms.FromFilter(filter);
        var state = new ExtractState(from.UtcTicks, to.UtcTicks, maxPackets, maxBytes);
        var block = new BlockIndex();
        var slices = 0;
        var otherLinkTypes = 0;
        int? linkType = null;
        BpfFilter? bpf = null;
        try
        {
            foreach (var slice in List(directory))
            {
                if (slice.Start.UtcTicks >= state.ToTicks + EarlyMargin.Ticks) continue;
                if (ReadIndex(directory, slice) is not { } index) continue;
                var (sliceLinkType, snapLength, entries) = index;
                if (linkType is null)
                {
                    linkType = sliceLinkType;
                    state.WriteHeader(sliceLinkType, snapLength);
                    if (!string.IsNullOrWhiteSpace(filter)) bpf = BpfFilter.Compile(filter, sliceLinkType, snapLength);
                }
                using var pcap = OpenPcap(directory, slice);
                if (pcap is null) continue;
                var read = false;
                for (var e = 0; e < entries.Length / BlockIndex.EntryBytes && !state.Truncated; e++)
                {
                    block.ReadFrom(entries.AsSpan(e * BlockIndex.EntryBytes, BlockIndex.EntryBytes));
                    if (block.LastTicks < state.FromTicks || block.FirstTicks >= state.ToTicks) continue;
                    if (sliceLinkType != linkType)
                    {
                        otherLinkTypes++;
                        break;
                    }
                    if (!terms.MayMatch(block))
                    {
                        state.BlocksSkipped++;
                        continue;
                    }
                    cancellationToken.ThrowIfCancellationRequested();
                    read = true;
                    state.ReadBlock(pcap, block, bpf);
                    if (state.Output.Length - state.OutputUsed < (1 << 19)) await state.FlushAsync(output, cancellationToken);
                }
                if (read) slices++;
                if (state.Truncated) break;
            }
            if (linkType is null) state.WriteHeader(LinkTypes.Ethernet, 262144);
            await state.FlushAsync(output, cancellationToken);
        }
        finally
        {
            bpf?.Dispose();
        }
        return new ExtractResult(state.Packets, state.BytesWritten, state.Truncated, slices, state.BlocksRead, state.BlocksSkipped, otherLinkTypes);
    }

    private static (int LinkType, int SnapLength, byte[] Entries)? ReadIndex(string directory, RecordingSlice slice)
    {
        var bytes = ReadShared(Path.Combine(directory, slice.BaseName + RecordingFiles.IndexExtension), slice.Open);
        if (bytes is null || !RecordingFiles.TryReadIndexHeader(bytes, out var linkType, out var snapLength)) return null;
        // Whole entries only: the writer may be appending one right now.
        var whole = (bytes.Length - RecordingFiles.IndexHeaderBytes) / BlockIndex.EntryBytes * BlockIndex.EntryBytes;
        return (linkType, snapLength, bytes.AsSpan(RecordingFiles.IndexHeaderBytes, whole).ToArray());
    }

    /// <summary>The file under its open name, or its closed name if it was renamed meanwhile; null if gone (removed by the limits).</summary>
    private static byte[]? ReadShared(string closedPath, bool open)
    {
        foreach (var path in open ? [closedPath + RecordingFiles.OpenSuffix, closedPath] : new[] { closedPath })
        {
            try
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 0);
                var bytes = new byte[stream.Length];
                stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
                return bytes;
            }
            catch (FileNotFoundException)
            {
            }
        }
        return null;
    }

    private static SafeFileHandle? OpenPcap(string directory, RecordingSlice slice)
    {
        var closedPath = Path.Combine(directory, slice.BaseName + RecordingFiles.PcapExtension);
        foreach (var path in slice.Open ? [closedPath + RecordingFiles.OpenSuffix, closedPath] : new[] { closedPath })
        {
            try
            {
                return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (FileNotFoundException)
            {
            }
        }
        return null;
    }

    private sealed class ExtractState(long fromTicks, long toTicks, long maxPackets, long maxBytes)
    {
        public readonly byte[] Output = new byte[1 << 20];
        private readonly byte[] _block = new byte[512 << 10];
        public int OutputUsed;
        public long FromTicks { get; } = fromTicks;
        public long ToTicks { get; } = toTicks;
        public long Packets;
        public long BytesWritten;
        public long BlocksRead;
        public long BlocksSkipped;
        public bool Truncated;
        private int _linkType;

        public void WriteHeader(int linkType, int snapLength)
        {
            _linkType = linkType;
            RecordingFiles.WritePcapHeader(Output.AsSpan(OutputUsed, 24), linkType, snapLength);
            OutputUsed += 24;
            BytesWritten += 24;
        }

        public void ReadBlock(SafeFileHandle pcap, BlockIndex block, BpfFilter? bpf)
        {
            BlocksRead++;
            var data = _block.AsSpan(0, block.Length);
            var read = RandomAccess.Read(pcap, data, block.Offset);
            data = data[..read];
            var position = 0;
            while (position + 16 <= data.Length)
            {
                var header = data[position..];
                var captured = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
                var length = 16 + captured;
                if (position + length > data.Length) break;
                var ticks = RecordingFiles.RecordTicks(header);
                if (ticks >= FromTicks && ticks < ToTicks)
                {
                    var wire = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
                    var frame = data.Slice(position + 16, captured);
                    if (bpf is null || bpf.Matches(new RawPacket(ticks, wire, _linkType, frame)))
                    {
                        if (Packets >= maxPackets || BytesWritten + length > maxBytes)
                        {
                            Truncated = true;
                            return;
                        }
                        data.Slice(position, length).CopyTo(Output.AsSpan(OutputUsed));
                        OutputUsed += length;
                        BytesWritten += length;
                        Packets++;
                    }
                }
                position += length;
            }
        }

        public async Task FlushAsync(Stream output, CancellationToken cancellationToken)
        {
            if (OutputUsed == 0) return;
            await output.WriteAsync(Output.AsMemory(0, OutputUsed), cancellationToken);
            OutputUsed = 0;
        }
    }
}
