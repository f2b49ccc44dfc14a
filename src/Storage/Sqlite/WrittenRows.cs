using Monitor.Storage.Model.Snapshots;

namespace Monitor.Storage.Sqlite;

/// <summary>
/// Report rows this store wrote and has not summarized yet (an interval's, period 0, or an hour's summary, period
/// 3600), as reading their blob back gives them (<see cref="ReportRowJsonConverter.Stored"/>): a summary takes them
/// instead of parsing every interval's JSON again, most of a replay's summarizing. Rows are taken only while the
/// blob in the file is byte for byte the one written, so replayed rows or another writer's are read from the file.
/// Used under the store's write gate only.
/// </summary>
internal sealed class WrittenRows(TimeProvider? clock = null)
{
    /// <summary>
    /// At most this many lists are kept; past it the summary reads the rest from the file, as it does for rows not
    /// written here. An hour of 30 s intervals with every report is about 3,000 lists, and a day's hours about 600 more;
    /// with 1 s intervals an hour would be 100,000 (a live soak at 1 s intervals grew by 10 MiB in 8 minutes).
    /// </summary>
    public const int MaxLists = 6144;

    /// <summary>
    /// Lists older than this (wall time) are dropped. A replay's hours close within seconds of each other, so its
    /// summaries find their rows here; live, an hour's rows would sit in memory for the hour only to save one read
    /// of the file at its end, and a sensor's heap would rise and fall with the clock.
    /// </summary>
    public static readonly TimeSpan KeepFor = TimeSpan.FromSeconds(60);

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Dictionary<(long Probe, int Period, string Report, long Start), (byte[] Blob, IReadOnlyList<ReportRow> Rows, long Written)> _rows = new();
    private long _lastSweep;

    public void Remember(long probe, int period, string report, long start, byte[] blob, IReadOnlyList<ReportRow> rows)
    {
        var now = _clock.GetTimestamp();
        // A sweep per quarter of the age bound: at most MaxLists entries, a few times a minute.
        if (_clock.GetElapsedTime(_lastSweep, now) >= KeepFor / 4)
        {
            DropOlderThan(now);
            _lastSweep = now;
        }
        if (_rows.Count >= MaxLists && !_rows.ContainsKey((probe, period, report, start))) return;
        var stored = new ReportRow[rows.Count];
        for (var i = 0; i < stored.Length; i++) stored[i] = ReportRowJsonConverter.Stored(rows[i]);
        _rows[(probe, period, report, start)] = (blob, stored, now);
    }

    /// <summary>The rows written as <paramref name="blob"/>, when those are what the file holds.</summary>
    public bool TryGet(long probe, int period, string report, long start, ReadOnlySpan<byte> blob, out IReadOnlyList<ReportRow> rows)
    {
        if (_rows.TryGetValue((probe, period, report, start), out var written) && blob.SequenceEqual(written.Blob))
        {
            rows = written.Rows;
            return true;
        }
        rows = [];
        return false;
    }

    public int Count => _rows.Count;

    /// <summary>Drops a probe's rows of one period that start before <paramref name="until"/> (summarized: read again only by a replay).</summary>
    public void Forget(long probe, int period, long until) =>
        Drop((key, _) => key.Probe == probe && key.Period == period && key.Start < until);

    private void DropOlderThan(long now) => Drop((_, written) => _clock.GetElapsedTime(written, now) >= KeepFor);

    private void Drop(Func<(long Probe, int Period, string Report, long Start), long, bool> done)
    {
        List<(long, int, string, long)>? keys = null;
        foreach (var (key, value) in _rows)
            if (done(key, value.Written)) (keys ??= []).Add(key);
        if (keys is null) return;
        foreach (var key in keys) _rows.Remove(key);
    }
}
