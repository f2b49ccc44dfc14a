using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Monitor.Storage.Model;
using Monitor.Storage.Model.Queries;
using Monitor.Storage.Model.Snapshots;
using Monitor.Storage.Summaries;

namespace Monitor.Storage.Sqlite;

/// <summary>
/// The default store: one SQLite file in WAL mode, shared safely by probe and site processes (writers take
/// an immediate transaction and wait up to the busy timeout). Each interval write also refreshes its
/// 5-minute and 1-hour consolidations and, once an hour is over, that hour's (and day's) top-N summaries.
/// </summary>
public sealed partial class SqliteStore : IMonitorStore
{
    private const long HourMs = SummarySegments.HourMs;
    private const long DayMs = SummarySegments.DayMs;
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(10);
    /// <summary>Intervals per transaction of a bulk write: big enough to amortize the per-batch work, short enough not to hold the write lock for long.</summary>
    private const int IntervalsPerTransaction = 500;

    private readonly string _connectionString;
    private readonly StorageOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Dictionary<string, long> _metricIds = new(StringComparer.Ordinal);
    private readonly Lock _idLock = new();
    private readonly WrittenRows _written = new();
    private byte[] _blob = new byte[64 << 10];

    public SqliteStore(string path, StorageOptions? options = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _options = options ?? new StorageOptions();
        _options.Validate();
        _logger = logger ?? NullLogger.Instance;
        Path = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        using var connection = Open();
        CheckVersion(connection);
        Execute(connection, "PRAGMA journal_mode=WAL;");
        using var transaction = connection.BeginTransaction();
        Execute(connection, SqliteSchema.Create, transaction);
        transaction.Commit();
    }

    public string Path { get; }

    /// <summary>Refuses, at open, a file whose rows this version cannot read instead of failing on every old row later.</summary>
    private void CheckVersion(SqliteConnection connection)
    {
        var version = Scalar<long>(connection, null, "PRAGMA user_version");
        if (version == SqliteSchema.Version || Scalar<long>(connection, null, "SELECT count(*) FROM sqlite_master WHERE type='table'") == 0) return;
        if (version == 0 && Scalar<long>(connection, null, SqliteSchema.UnstampedCurrentLayout) == 1) return;
        var maker = version > SqliteSchema.Version ? "a newer" : "an older";
        throw new InvalidDataException(
            $"SQLite store {Path} was made by {maker} Monitor version (schema {version}, this version uses {SqliteSchema.Version}) and cannot be read; move it aside and start with a new file");
    }

    /// <summary>A page limit applied to every connection (SQLite's max_page_count): lets tests fill the "disk".</summary>
    internal long? MaxPageCount
    {
        get => _maxPageCount;
        set
        {
            _maxPageCount = value;
            _pageLimitUsed = true;
        }
    }

    internal long PageCount()
    {
        using var connection = Open();
        return Scalar<long>(connection, null, "PRAGMA page_count");
    }

    private long? _maxPageCount;
    private bool _pageLimitUsed;

    public async Task WriteIntervalsAsync(IReadOnlyList<IntervalSnapshot> snapshots, CancellationToken cancellationToken = default)
    {
        IntervalChecks.Validate(snapshots);
        foreach (var chunk in snapshots.Chunk(IntervalsPerTransaction))
            await WriteAsync(connection => WriteIntervals(connection, chunk), cancellationToken);
    }

    public async Task WriteSecondsAsync(IReadOnlyList<SecondPoint> points, CancellationToken cancellationToken = default)
    {
        IntervalChecks.Validate(points);
        if (points.Count == 0) return;
        await WriteAsync(connection => WriteSeconds(connection, points), cancellationToken);
    }

    public async Task WriteEventsAsync(IReadOnlyList<MonitorEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0) return;
        await WriteAsync(connection => WriteEvents(connection, events), cancellationToken);
    }

    public Task<SeriesResult> QuerySeriesAsync(SeriesQuery query, CancellationToken cancellationToken = default)
    {
        var metric = QueryGuard.Check(query);
        return Task.Run(() => QuerySeries(query, metric), cancellationToken);
    }

    public Task<IReadOnlyList<ReportRow>> QueryTopAsync(TopQuery query, CancellationToken cancellationToken = default)
    {
        var report = QueryGuard.Check(query);
        return Task.Run(() => QueryTop(query, report), cancellationToken);
    }

    public Task<IReadOnlyList<MonitorEvent>> QueryEventsAsync(EventQuery query, CancellationToken cancellationToken = default)
    {
        QueryGuard.Check(query);
        return Task.Run(() => QueryEvents(query), cancellationToken);
    }

    public Task<IReadOnlyList<IntervalSnapshot>> QueryIntervalsAsync(IntervalQuery query, CancellationToken cancellationToken = default)
    {
        QueryGuard.Check(query);
        return Task.Run(() => QueryIntervals(query), cancellationToken);
    }

    public Task<IReadOnlyList<ProbeStatus>> QueryProbesAsync(CancellationToken cancellationToken = default) =>
        Task.Run(QueryProbes, cancellationToken);

    public ValueTask DisposeAsync()
    {
        using (var connection = new SqliteConnection(_connectionString)) SqliteConnection.ClearPool(connection);
        _writeGate.Dispose();
        return ValueTask.CompletedTask;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA busy_timeout=30000; PRAGMA synchronous=NORMAL;");
        if (MaxPageCount is { } pages) Execute(connection, $"PRAGMA max_page_count={pages};");
        else if (_pageLimitUsed) Execute(connection, "PRAGMA max_page_count=4294967294;");
        return connection;
    }

    private static List<long>? ProbeFilter(SqliteConnection connection, IReadOnlyList<string>? names)
    {
        if (names is null) return null;
        var ids = new List<long>();
        foreach (var name in names)
            if (Scalar<long?>(connection, null, "SELECT id FROM probes WHERE name=$n", ("$n", name)) is { } id) ids.Add(id);
        return ids;
    }

    private static List<long> AllProbeIds(SqliteConnection connection)
    {
        using var command = Command(connection, null, "SELECT id FROM probes ORDER BY id");
        var ids = new List<long>();
        using var reader = command.ExecuteReader();
        while (reader.Read()) ids.Add(reader.GetInt64(0));
        return ids;
    }

    private static long ProbeId(SqliteConnection connection, SqliteTransaction transaction, string name)
    {
        Execute(connection, "INSERT OR IGNORE INTO probes(name) VALUES($n)", transaction, ("$n", name));
        return Scalar<long?>(connection, transaction, "SELECT id FROM probes WHERE name=$n", ("$n", name))!.Value;
    }

    private long MetricId(SqliteConnection connection, SqliteTransaction transaction, string name)
    {
        lock (_idLock)
            if (_metricIds.TryGetValue(name, out var cached)) return cached;
        Execute(connection, "INSERT OR IGNORE INTO metrics(name) VALUES($n)", transaction, ("$n", name));
        var id = Scalar<long?>(connection, transaction, "SELECT id FROM metrics WHERE name=$n", ("$n", name))!.Value;
        lock (_idLock) _metricIds[name] = id;
        return id;
    }

    private static IReadOnlyList<ReportRow> ReadRows(SqliteDataReader reader, int column) =>
        Unpack(reader, column, StoreJson.Default.ListReportRow);

    /// <summary>
    /// Marks a blob stored as plain JSON. A raw deflate stream never starts with it (its first block
    /// would have the reserved type 11), so blobs written deflated by earlier versions still read.
    /// </summary>
    private const byte PlainJson = 0x06;

    /// <summary>Payloads below this are stored as plain JSON: deflating them saves little and costs a zlib
    /// stream set up per blob, most of a replay's store time on sparse intervals.</summary>
    private const int DeflateFrom = 1024;

    private static byte[] Pack<T>(T value, JsonTypeInfo<T> shape)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(value, shape);
        if (json.Length < DeflateFrom)
        {
            var plain = new byte[json.Length + 1];
            plain[0] = PlainJson;
            json.CopyTo(plain, 1);
            return plain;
        }
        using var buffer = new MemoryStream();
        using (var deflate = new System.IO.Compression.DeflateStream(buffer, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            deflate.Write(json);
        return buffer.ToArray();
    }

    private static T Unpack<T>(SqliteDataReader reader, int column, JsonTypeInfo<T> shape)
    {
        var blob = (byte[])reader.GetValue(column);
        return Unpack(blob, blob.Length, shape);
    }

    /// <summary>The value packed in the first <paramref name="length"/> bytes of <paramref name="blob"/>.</summary>
    private static T Unpack<T>(byte[] blob, int length, JsonTypeInfo<T> shape)
    {
        T? value;
        if (length > 0 && blob[0] == PlainJson) value = JsonSerializer.Deserialize(blob.AsSpan(1, length - 1), shape);
        else
        {
            using var deflate = new System.IO.Compression.DeflateStream(new MemoryStream(blob, 0, length, writable: false),
                System.IO.Compression.CompressionMode.Decompress);
            value = JsonSerializer.Deserialize(deflate, shape);
        }
        return value ?? throw new InvalidDataException("an empty JSON value in the SQLite store");
    }

    private static long Floor(long value, long step) => (long)Math.Floor(value / (double)step) * step;

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null,
        params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        command.ExecuteNonQuery();
    }

    private static T? Scalar<T>(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        var result = command.ExecuteScalar();
        if (result is null or DBNull) return default;
        var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        return (T)Convert.ChangeType(result, type, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static object?[]? Row(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return null;
        var values = new object?[reader.FieldCount];
        for (var i = 0; i < values.Length; i++) values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
        return values;
    }
}
