using Microsoft.Win32.SafeHandles;

namespace Monitor.Probe.Capture;

// The large buffered reads both formats are parsed from.
public sealed partial class PcapFileSource
{
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
