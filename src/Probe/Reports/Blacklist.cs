using System.Collections.Concurrent;

namespace Monitor.Probe.Reports;

/// <summary>
/// A blacklist file (one IP or CIDR per line; '#' starts a comment) shared by every worker. A timer
/// thread re-reads the file when its size or modification time changes and swaps in a new immutable
/// <see cref="AddressSet"/>; workers only read the current reference, so the packet path never does I/O
/// or takes a lock. A file that cannot be read or parsed keeps the previous list and records the error.
/// The timer takes a change only once it has settled (the same size and time at two looks in a row): a
/// file being rewritten is empty or half written for a moment, and that moment is not a new list.
/// </summary>
public sealed class Blacklist : IDisposable
{
    private static readonly ConcurrentDictionary<string, Blacklist> Shared = new(StringComparer.Ordinal);

    private readonly string _path;
    private readonly Timer _timer;
    private volatile AddressSet _current = AddressSet.Empty;
    private readonly object _gate = new();
    private (long Length, DateTime Modified) _seen = (-1, default);
    private (long Length, DateTime Modified) _settling = (-1, default);

    public Blacklist(string path, TimeSpan checkEvery)
    {
        _path = Path.GetFullPath(path);
        Reload();
        _timer = new Timer(_ => Check(), null, checkEvery, checkEvery);
    }

    /// <summary>The one watcher per file, so that all workers' report sets share it.</summary>
    public static Blacklist For(string path, TimeSpan checkEvery) =>
        Shared.GetOrAdd(Path.GetFullPath(path), p => new Blacklist(p, checkEvery));

    public AddressSet Current => _current;

    /// <summary>The last load's problem (missing file, bad line), or null when the list loaded cleanly.</summary>
    public string? LastError { get; private set; }

    public DateTimeOffset? LoadedAt { get; private set; }

    /// <summary>Re-reads the file now if it changed since the last load.</summary>
    public void Reload()
    {
        lock (_gate) Load(requireSettled: false);
    }

    private void Check()
    {
        lock (_gate) Load(requireSettled: true);
    }

    private void Load(bool requireSettled)
    {
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
            if (requireSettled && stamp != _settling)
            {
                _settling = stamp;
                return;
            }
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
    }

    public void Dispose()
    {
        _timer.Dispose();
        Shared.TryRemove(new KeyValuePair<string, Blacklist>(_path, this));
    }
}
