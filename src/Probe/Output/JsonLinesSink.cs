using System.Text.Json;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Probe.Output;

/// <summary>
/// Writes one JSON object per closed interval, one per line, to a file or stdout (<c>-</c>), flushed
/// after every line so a reader (or a kill) never sees half an interval.
/// </summary>
public sealed class JsonLinesSink : ISnapshotSink
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly Utf8JsonWriter _writer;

    public JsonLinesSink(string target)
    {
        if (target == "-")
        {
            _stream = Console.OpenStandardOutput();
            _ownsStream = false;
        }
        else
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(target));
            if (directory is not null) Directory.CreateDirectory(directory);
            _stream = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.Read);
            _ownsStream = true;
        }
        _writer = new Utf8JsonWriter(_stream);
    }

    // The JSON Lines contract is one line per interval; second points and events go to the store and live feed.
    public void WriteSeconds(IReadOnlyList<SecondPoint> points)
    {
    }

    public void WriteInterval(IntervalSnapshot snapshot)
    {
        SnapshotJson.Write(_writer, snapshot);
        _writer.Flush();
        _writer.Reset();
        _stream.Write(NewLine);
        _stream.Flush();
    }

    public void WriteEvent(MonitorEvent monitorEvent)
    {
    }

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        await _stream.FlushAsync();
        if (_ownsStream) await _stream.DisposeAsync();
    }
}
