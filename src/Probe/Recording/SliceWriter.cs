using System.Buffers.Binary;
using Microsoft.Extensions.Logging;

namespace Monitor.Probe.Recording;

/// <summary>
/// The writer thread's side of a recording: cuts buffers into blocks, writes each block to the open
/// slice and then its index entry (so a reader never finds an entry for bytes not yet written), closes
/// slices by renaming them, and removes the oldest slices to keep within MaxBytes and MaxAge.
/// </summary>
internal sealed class SliceWriter(RecordSettings settings, ILogger logger, TimeSpan retryAfter)
{
    private const int BlockBytes = 256 << 10;
    private const int BlockPackets = 4096;

    private sealed record ClosedSlice(string BaseName, long Bytes, long LastTicks);

    private readonly LinkedList<ClosedSlice> _closed = new();
    private readonly BlockIndex _block = new();
    private readonly byte[] _entry = new byte[BlockIndex.EntryBytes];
    private long _closedBytes;
    private long _newestTicks;
    private OpenSlice? _open;
    private long _resumeAt;
    private long _dropped;
    private long _recorded;
    private volatile bool _paused;
    /// <summary>The pause's one warning line was given; cleared when a block is written again.</summary>
    private bool _warned;

    public long Dropped => Interlocked.Read(ref _dropped);
    public long Recorded => Interlocked.Read(ref _recorded);
    public bool Paused => _paused;

    private string Directory => settings.Directory;

    /// <summary>Creates the directory, closes slices a previous run left open and counts what is there against the limits.</summary>
    public void Open()
    {
        System.IO.Directory.CreateDirectory(Directory);
        foreach (var part in System.IO.Directory.GetFiles(Directory, "*" + RecordingFiles.PcapExtension + RecordingFiles.OpenSuffix))
            Recover(part);
        foreach (var pcap in System.IO.Directory.GetFiles(Directory, "*" + RecordingFiles.PcapExtension).Order(StringComparer.Ordinal))
        {
            var baseName = Path.GetFileNameWithoutExtension(pcap);
            var index = Path.Combine(Directory, baseName + RecordingFiles.IndexExtension);
            var bytes = new FileInfo(pcap).Length + (File.Exists(index) ? new FileInfo(index).Length : 0);
            var last = LastTicks(index) ?? RecordingFiles.StartOf(pcap)?.UtcTicks ?? 0;
            _closed.AddLast(new ClosedSlice(baseName, bytes, last));
            _closedBytes += bytes;
            _newestTicks = Math.Max(_newestTicks, last);
        }
    }

    /// <summary>A slice left open by a crash keeps every block its index lists; a torn tail is cut off.</summary>
    private static void Recover(string partPcap)
    {
        var baseName = Path.GetFileName(partPcap)[..^(RecordingFiles.PcapExtension.Length + RecordingFiles.OpenSuffix.Length)];
        var directory = Path.GetDirectoryName(partPcap)!;
        var partIndex = Path.Combine(directory, baseName + RecordingFiles.IndexExtension + RecordingFiles.OpenSuffix);
        long end = 24;
        if (File.Exists(partIndex))
        {
            using var index = new FileStream(partIndex, FileMode.Open, FileAccess.ReadWrite);
            var entries = (index.Length - RecordingFiles.IndexHeaderBytes) / BlockIndex.EntryBytes;
            if (entries > 0)
            {
                var entry = new byte[BlockIndex.EntryBytes];
                index.Position = RecordingFiles.IndexHeaderBytes + (entries - 1) * BlockIndex.EntryBytes;
                index.ReadExactly(entry);
                end = BinaryPrimitives.ReadInt64LittleEndian(entry) + BinaryPrimitives.ReadInt32LittleEndian(entry.AsSpan(8));
            }
            index.SetLength(RecordingFiles.IndexHeaderBytes + Math.Max(entries, 0) * BlockIndex.EntryBytes);
        }
        using (var pcap = new FileStream(partPcap, FileMode.Open, FileAccess.ReadWrite))
            if (pcap.Length > end) pcap.SetLength(end);
        if (File.Exists(partIndex)) File.Move(partIndex, Path.Combine(directory, baseName + RecordingFiles.IndexExtension), overwrite: true);
        File.Move(partPcap, Path.Combine(directory, baseName + RecordingFiles.PcapExtension), overwrite: true);
    }

    private static long? LastTicks(string index)
    {
        if (!File.Exists(index)) return null;
        using var stream = new FileStream(index, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var entries = (stream.Length - RecordingFiles.IndexHeaderBytes) / BlockIndex.EntryBytes;
        if (entries <= 0) return null;
        Span<byte> entry = stackalloc byte[32];
        stream.Position = RecordingFiles.IndexHeaderBytes + (entries - 1) * BlockIndex.EntryBytes;
        stream.ReadExactly(entry);
        return BinaryPrimitives.ReadInt64LittleEndian(entry[24..]);
    }

    public void Write(RecordBuffer buffer)
    {
        if (_paused)
        {
            if (Environment.TickCount64 < _resumeAt)
            {
                Interlocked.Add(ref _dropped, buffer.Count);
                return;
            }
            _paused = false;
        }
        var data = buffer.Data.AsSpan(0, buffer.Used);
        var written = 0;
        var position = 0;
        var blockStart = 0;
        _block.Clear();
        while (position < data.Length)
        {
            var ticks = RecordingFiles.RecordTicks(data[position..]);
            var captured = BinaryPrimitives.ReadInt32LittleEndian(data[(position + 8)..]);
            var length = 16 + captured;
            if (_open is null || _open.LinkType != buffer.LinkType || ticks >= _open.EndTicks || ticks < _open.StartTicks - _open.SpanTicks
                || position - blockStart + length > BlockBytes || _block.Packets == BlockPackets)
            {
                if (!WriteBlock(data[blockStart..position], ref written)) break;
                blockStart = position;
                if (_open is null || _open.LinkType != buffer.LinkType || ticks >= _open.EndTicks || ticks < _open.StartTicks - _open.SpanTicks
                    || _open.Bytes >= settings.MaxSliceBytes)
                {
                    CloseOpen();
                    if (!TryOpen(ticks, buffer.LinkType)) break;
                }
            }
            _block.AddPacket(buffer.LinkType, data.Slice(position + 16, captured), ticks);
            position += length;
        }
        if (!_paused) WriteBlock(data[blockStart..position], ref written);
        if (written < buffer.Count) Interlocked.Add(ref _dropped, buffer.Count - written);
    }

    /// <summary>Writes the block gathered so far and its index entry; false when the disk refused it (now paused).</summary>
    private bool WriteBlock(ReadOnlySpan<byte> bytes, ref int written)
    {
        if (bytes.IsEmpty || _block.Packets == 0)
        {
            _block.Clear();
            return true;
        }
        var open = _open!;
        MakeRoom(bytes.Length + BlockIndex.EntryBytes);
        _block.Offset = open.Bytes;
        _block.Length = bytes.Length;
        _block.WriteTo(_entry);
        try
        {
            open.Pcap.Write(bytes);
            open.Index.Write(_entry);
        }
        catch (IOException e)
        {
            // Back to the last whole block, so the slice stays readable up to there.
            try
            {
                open.Pcap.SetLength(open.Bytes);
                open.Index.SetLength(open.IndexBytes);
            }
            catch (IOException)
            {
            }
            Pause(e);
            _block.Clear();
            return false;
        }
        open.Bytes += bytes.Length;
        open.IndexBytes += BlockIndex.EntryBytes;
        open.LastTicks = Math.Max(open.LastTicks, _block.LastTicks);
        _newestTicks = Math.Max(_newestTicks, _block.LastTicks);
        written += _block.Packets;
        Interlocked.Add(ref _recorded, _block.Packets);
        if (_warned)
        {
            _warned = false;
            logger.LogInformation("Recording to {Directory} resumed", Directory);
        }
        _block.Clear();
        DropAged();
        return true;
    }

    private bool TryOpen(long ticks, int linkType)
    {
        var span = settings.FileSeconds * TimeSpan.TicksPerSecond;
        var start = ticks - ticks % span;
        var baseName = RecordingFiles.NewBaseName(Directory, start);
        try
        {
            _open = new OpenSlice(Directory, baseName, start, span, linkType, settings.SnapLength);
            return true;
        }
        catch (IOException e)
        {
            Pause(e);
            return false;
        }
    }

    private void CloseOpen()
    {
        var open = _open;
        if (open is null) return;
        _open = null;
        var bytes = open.Bytes + open.IndexBytes;
        try
        {
            open.Close();
            if (open.IndexBytes == RecordingFiles.IndexHeaderBytes)
            {
                open.Delete();
                return;
            }
            open.Rename();
        }
        catch (IOException e)
        {
            logger.LogError("Recording could not close slice {Slice}: {Error}", open.BaseName, e.Message);
        }
        _closed.AddLast(new ClosedSlice(open.BaseName, bytes, open.LastTicks));
        _closedBytes += bytes;
    }

    /// <summary>Oldest slices go first until the next block fits under MaxBytes.</summary>
    private void MakeRoom(long next)
    {
        var open = (_open?.Bytes ?? 0) + (_open?.IndexBytes ?? 0);
        while (_closed.First is { } oldest && _closedBytes + open + next > settings.MaxBytes) Remove(oldest);
    }

    private void DropAged()
    {
        var cutoff = _newestTicks - settings.MaxAge.Ticks;
        for (var node = _closed.First; node is not null;)
        {
            var next = node.Next;
            if (node.Value.LastTicks < cutoff) Remove(node);
            node = next;
        }
    }

    private void Remove(LinkedListNode<ClosedSlice> node)
    {
        _closed.Remove(node);
        _closedBytes -= node.Value.Bytes;
        // The index goes first: a reader that finds the pcap without its index skips it.
        File.Delete(Path.Combine(Directory, node.Value.BaseName + RecordingFiles.IndexExtension));
        File.Delete(Path.Combine(Directory, node.Value.BaseName + RecordingFiles.PcapExtension));
    }

    private void Pause(IOException e)
    {
        _paused = true;
        _resumeAt = Environment.TickCount64 + (long)retryAfter.TotalMilliseconds;
        if (_warned) return; // still failing after a retry: the first line said it
        _warned = true;
        if (IsDiskFull(e))
            logger.LogWarning("Recording to {Directory} paused: the disk is full ({Error}); counting goes on, unrecorded packets are counted in record.dropped",
                Directory, e.Message);
        else
            logger.LogWarning("Recording to {Directory} paused: {Error}; counting goes on, unrecorded packets are counted in record.dropped",
                Directory, e.Message);
    }

    private static bool IsDiskFull(IOException e) =>
        e.HResult is 28 or 122 or unchecked((int)0x80070070) || e.Message.Contains("space", StringComparison.OrdinalIgnoreCase);

    public void Close()
    {
        CloseOpen();
    }

    private sealed class OpenSlice
    {
        private readonly string _directory;

        public OpenSlice(string directory, string baseName, long start, long span, int linkType, int snapLength)
        {
            _directory = directory;
            BaseName = baseName;
            StartTicks = start;
            SpanTicks = span;
            LinkType = linkType;
            // Unbuffered: every Write is one write(2) of a whole block, visible to readers at once.
            Pcap = new FileStream(PartPath(RecordingFiles.PcapExtension), FileMode.CreateNew, FileAccess.ReadWrite,
                FileShare.Read | FileShare.Delete, 0);
            try
            {
                Index = new FileStream(PartPath(RecordingFiles.IndexExtension), FileMode.CreateNew, FileAccess.ReadWrite,
                    FileShare.Read | FileShare.Delete, 0);
                Span<byte> header = stackalloc byte[24];
                RecordingFiles.WritePcapHeader(header, linkType, snapLength);
                Pcap.Write(header);
                RecordingFiles.WriteIndexHeader(header, linkType, snapLength);
                Index.Write(header);
            }
            catch
            {
                Pcap.Dispose();
                Index?.Dispose();
                File.Delete(PartPath(RecordingFiles.PcapExtension));
                File.Delete(PartPath(RecordingFiles.IndexExtension));
                throw;
            }
            Bytes = 24;
            IndexBytes = RecordingFiles.IndexHeaderBytes;
        }

        public string BaseName { get; }
        public long StartTicks { get; }
        public long SpanTicks { get; }
        public long EndTicks => StartTicks + SpanTicks;
        public int LinkType { get; }
        public FileStream Pcap { get; }
        public FileStream Index { get; }
        public long Bytes { get; set; }
        public long IndexBytes { get; set; }
        public long LastTicks { get; set; }

        private string PartPath(string extension) => Path.Combine(_directory, BaseName + extension + RecordingFiles.OpenSuffix);

        public void Close()
        {
            Pcap.Dispose();
            Index.Dispose();
        }

        public void Delete()
        {
            File.Delete(PartPath(RecordingFiles.IndexExtension));
            File.Delete(PartPath(RecordingFiles.PcapExtension));
        }

        /// <summary>Index first, then the pcap: a listing that sees the closed pcap also finds its closed index.</summary>
        public void Rename()
        {
            File.Move(PartPath(RecordingFiles.IndexExtension), Path.Combine(_directory, BaseName + RecordingFiles.IndexExtension));
            File.Move(PartPath(RecordingFiles.PcapExtension), Path.Combine(_directory, BaseName + RecordingFiles.PcapExtension));
        }
    }
}
