using DuckDB.NET.Data;

namespace Monitor.Storage.Sessions;

/// <summary>
/// The embedded default: a DuckDB file next to the SQLite series store. Columnar, so the searches and
/// saved reports (aggregations over a few columns of millions of records) read only what they need,
/// and time-ordered appends keep each row group's min/max of end_us tight for the window filter.
/// One connection per file in the process, used by one caller at a time. DuckDB locks the file to one
/// process: the probe and the site share it when the site hosts the probe; separate processes use ClickHouse.
/// Bounded by age (records older than MaxAgeDays) and size (past MaxBytes the oldest tenth goes; DuckDB
/// reuses the freed blocks, so the file stops growing rather than shrinking), and in memory by MaxMemoryMiB
/// (the first store to open a file sets it for the process's connection to that file).
/// </summary>
public sealed class DuckDbSessionStore : SqlSessionStore
{
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(10);
    private readonly SharedConnection _shared;
    private readonly DuckDBConnection _connection;
    private readonly SemaphoreSlim _gate;
    private bool _disposed;
    private readonly string _path;
    private readonly SessionStoreOptions _options;
    private DateTimeOffset _lastPruneWall = DateTimeOffset.MinValue;
    private DateTimeOffset _newest = DateTimeOffset.MinValue;

    private DuckDbSessionStore(string path, SessionStoreOptions options, SharedConnection shared)
    {
        _path = path;
        _options = options;
        _shared = shared;
        _connection = shared.Connection;
        _gate = shared.Gate;
    }

    /// <summary>
    /// Opens the file, or shares the connection another store of this process has open on it: DuckDB
    /// lets one database instance hold a file, so the site and the probe it hosts share one.
    /// </summary>
    public static DuckDbSessionStore Open(string path, SessionStoreOptions options)
    {
        var full = Path.GetFullPath(path);
        lock (Shared)
        {
            if (!Shared.TryGetValue(full, out var shared))
            {
                var directory = Path.GetDirectoryName(full);
                if (directory is not null) Directory.CreateDirectory(directory);
                var connection = new DuckDBConnection($"Data Source={full}");
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = $"SET memory_limit='{options.MaxMemoryMiB}MiB'";
                command.ExecuteNonQuery();
                command.CommandText =
                    "CREATE TABLE IF NOT EXISTS sessions (probe VARCHAR, start_us BIGINT, end_us BIGINT, proto UTINYINT, " +
                    "src_hi UBIGINT, src_lo UBIGINT, sport USMALLINT, dst_hi UBIGINT, dst_lo UBIGINT, dport USMALLINT, " +
                    "packets_src BIGINT, bytes_src BIGINT, packets_dst BIGINT, bytes_dst BIGINT, flags_src UTINYINT, flags_dst UTINYINT, " +
                    "state UTINYINT, icmp_type UTINYINT, icmp_code UTINYINT, vlan USMALLINT, reason UTINYINT)";
                command.ExecuteNonQuery();
                shared = new SharedConnection(connection, new SemaphoreSlim(1, 1));
                Shared[full] = shared;
            }
            shared.Users++;
            return new DuckDbSessionStore(full, options, shared);
        }
    }

    private sealed class SharedConnection(DuckDBConnection connection, SemaphoreSlim gate)
    {
        public DuckDBConnection Connection { get; } = connection;
        public SemaphoreSlim Gate { get; } = gate;
        public int Users;
    }

    private static readonly Dictionary<string, SharedConnection> Shared = [];

    protected override string BitOr(string column) => $"bit_or({column})";
    protected override string ArgMax(string value, string by) => $"arg_max({value}, {by})";
    protected override string Page(int offset, int limit) => $"LIMIT {limit} OFFSET {offset}";
    protected override string Quote(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    public override async Task WriteAsync(string probe, IReadOnlyList<SessionRecord> records, CancellationToken cancellationToken = default)
    {
        if (records.Count == 0) return;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using (var appender = _connection.CreateAppender("sessions"))
            {
                foreach (var r in records)
                {
                    appender.CreateRow()
                        .AppendValue(probe)
                        .AppendValue(Micros(r.Start)).AppendValue(Micros(r.End)).AppendValue(r.Proto)
                        .AppendValue((ulong)(r.Src >> 64)).AppendValue((ulong)r.Src).AppendValue(r.SrcPort)
                        .AppendValue((ulong)(r.Dst >> 64)).AppendValue((ulong)r.Dst).AppendValue(r.DstPort)
                        .AppendValue(r.PacketsSrc).AppendValue(r.BytesSrc).AppendValue(r.PacketsDst).AppendValue(r.BytesDst)
                        .AppendValue(r.FlagsSrc).AppendValue(r.FlagsDst).AppendValue((byte)r.State)
                        .AppendValue(r.IcmpType).AppendValue(r.IcmpCode).AppendValue(r.Vlan).AppendValue((byte)r.Reason)
                        .EndRow();
                }
                appender.Close();
            }
        }
        finally
        {
            _gate.Release();
        }
        // Age is counted from the newest record, so a capture read offline keeps its (old) sessions.
        var newest = records.Max(r => r.End);
        var wall = DateTimeOffset.UtcNow;
        if (wall - _lastPruneWall > PruneEvery)
        {
            _lastPruneWall = wall;
            await PruneAsync(newest > _newest ? _newest = newest : _newest, cancellationToken);
        }
        else if (newest > _newest)
        {
            _newest = newest;
        }
    }

    public override async Task<long> PruneAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var deleted = Execute($"DELETE FROM sessions WHERE end_us < {Micros(now.AddDays(-_options.MaxAgeDays))}");
            if (FileBytes() > _options.MaxBytes)
            {
                deleted += Execute("DELETE FROM sessions WHERE start_us <= (SELECT quantile_disc(start_us, 0.1) FROM sessions)");
                Execute("CHECKPOINT");
            }
            return deleted;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The database file and its write-ahead log.</summary>
    public long FileBytes()
    {
        var wal = new FileInfo(_path + ".wal");
        return new FileInfo(_path).Length + (wal.Exists ? wal.Length : 0);
    }

    private long Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    protected override async Task<List<object?[]>> QueryAsync(string sql, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            using var reader = command.ExecuteReader();
            var rows = new List<object?[]>();
            while (reader.Read())
            {
                var row = new object?[reader.FieldCount];
                for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                rows.Add(row);
            }
            return rows;
        }
        finally
        {
            _gate.Release();
        }
    }

    public override ValueTask DisposeAsync()
    {
        lock (Shared)
        {
            if (_disposed) return ValueTask.CompletedTask;
            _disposed = true;
            if (--_shared.Users > 0) return ValueTask.CompletedTask;
            Shared.Remove(_path);
        }
        _connection.Dispose();
        _gate.Dispose();
        return ValueTask.CompletedTask;
    }
}
