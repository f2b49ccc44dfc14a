using System.Collections.Concurrent;

namespace Monitor.Probe.Reports;

/// <summary>
/// A blacklist file (one IP or CIDR per line; '#' starts a comment) shared by every worker. A timer
/// thread re-reads the file when its size or modification time changes and swaps in a new immutable
/// <see cref="AddressSet"/>; workers only read the current reference, so the packet path never does I/O
/// or takes a lock. A file that cannot be read or parsed keeps the previous list and records the error.
/// </summary>
public sealed class Blacklist : IDisposable
{
    private static readonly ConcurrentDictionary<string, Blacklist> Shared = new(StringComparer.Ordinal);

    private readonly string _path;
    private readonly Timer _timer;
    private volatile AddressSet _current = AddressSet.Empty;
    private (long Length, DateTime Modified) _seen = (-1, default);
    private int _checking;

    public Blacklist(string path, TimeSpan checkEvery)
    {
        _path = Path.GetFullPath(path);
        Reload();
        _timer = new Timer(_ => Reload(), null, checkEvery, checkEvery);
    }

    /// <summary>The one watcher per file, so that all workers' report sets share it.</summary>
    public static Blacklist For(string path, TimeSpan checkEvery) =>
        Shared.GetOrAdd(Path.GetFullPath(path), p => new Blacklist(p, checkEvery));

    public AddressSet Current => _current;

    /// <summary>The last load's problem (missing file, bad line), or null when the list loaded cleanly.</summary>
    public string? LastError { get; private set; }

    public DateTimeOffset? LoadedAt { get; private set; }

    /// <summary>Re-reads the file if it changed since the last look.</summary>
    public void Reload()
    {
        if (Interlocked.Exchange(ref _checking, 1) == 1) return;
        try
        {
            var info = new FileInfo(_path);
            if (!info.Exists)
            {
                LastError = $"blacklist file {_path} does not exist";
                return;
            }
            var stamp = (info.Length, info.LastWriteTimeUtc);
            if (stamp == _seen) return;
            var blocks = new List<string>();
            var lineNumber = 0;
            foreach (var raw in File.ReadLines(_path))
            {
                lineNumber++;
                var line = raw;
                var hash = line.IndexOf('#');
                if (hash >= 0) line = line[..hash];
                line = line.Trim();
                if (line.Length == 0) continue;
                try
                {
                    AddressSet.ParseBlock(line);
                }
                catch (FormatException e)
                {
                    throw new FormatException($"{_path}:{lineNumber}: {e.Message}");
                }
                blocks.Add(line);
            }
            _current = AddressSet.Parse(blocks);
            _seen = stamp;
            LoadedAt = DateTimeOffset.UtcNow;
            LastError = null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            LastError = e.Message;
        }
        finally
        {
            Volatile.Write(ref _checking, 0);
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        Shared.TryRemove(new KeyValuePair<string, Blacklist>(_path, this));
    }
}
