using Monitor.Storage;
using Monitor.Storage.Model;
using Monitor.TestKit.Servers;
using System.Diagnostics;
using Monitor.Web.Features.Anomalies.Detection;
using Monitor.Storage.Sqlite;
using Monitor.TestKit.History;

namespace Monitor.Web.Tests.Features.Anomalies.Detection;

/// <summary>
/// Two generated weeks written once through a real store and shared by the tests of one backend.
/// Interval points are kept three weeks so that the first generated day still reads at interval resolution.
/// </summary>
public abstract class HistoryStoreFixture : IAsyncLifetime
{
    public static StorageOptions Retention => new() { IntervalRetention = TimeSpan.FromDays(21), ReportRetention = TimeSpan.FromDays(21) };

    protected HistoryStoreFixture(HistoryGenerator? generator = null) => Generator = generator ?? new HistoryGenerator();

    public HistoryGenerator Generator { get; }
    public HistoryPlan Plan => Generator.Plan;
    public IMonitorStore Store { get; protected set; } = null!;
    public TimeSpan WriteTime { get; private set; }

    protected abstract Task<IMonitorStore> OpenAsync();

    private Task<IReadOnlyList<DayAnalysis>>? _days;

    /// <summary>Every generated day analysed once (the tests only read it).</summary>
    public Task<IReadOnlyList<DayAnalysis>> AllDaysAsync() => _days ??= AnalyzeAllAsync();

    private async Task<IReadOnlyList<DayAnalysis>> AnalyzeAllAsync()
    {
        var detector = new SpikeDetector(Store, new AnomalyOptions());
        var list = new List<DayAnalysis>();
        for (var d = 0; d < Plan.Days; d++)
            list.Add(await detector.AnalyzeDayAsync(Plan.Probe, Plan.FirstDay.AddDays(d)));
        return list;
    }

    public async Task InitializeAsync()
    {
        Store = await OpenAsync();
        var watch = Stopwatch.StartNew();
        await WriteHistoryAsync();
        WriteTime = watch.Elapsed;
    }

    protected virtual Task WriteHistoryAsync() => Generator.WriteAsync(Store);

    public virtual async Task DisposeAsync() => await Store.DisposeAsync();
}

public sealed class SqliteHistoryFixture : HistoryStoreFixture
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "monitor-anomalies-" + Guid.NewGuid().ToString("N")[..12]);

    protected override Task<IMonitorStore> OpenAsync()
    {
        Directory.CreateDirectory(_dir);
        return Task.FromResult<IMonitorStore>(new SqliteStore(Path.Combine(_dir, "history.db"), Retention));
    }

    /// <summary>The SQLite history comes from the shared cache (written through the store once per build).</summary>
    protected override async Task WriteHistoryAsync()
    {
        await Store.DisposeAsync();
        var path = Path.Combine(_dir, "history.db");
        await HistoryCache.SqliteCopyAsync(Generator, Retention, path);
        Store = new SqliteStore(path, Retention);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>
/// The same generator written through the InfluxDB store into a real influxd on loopback. Ten days hold
/// everything the tests check (seven earlier days before the flood and the scan) and take half the time
/// of two weeks to write over HTTP. InfluxDB's retention policies count back from the wall clock, so
/// these ten days end today.
/// </summary>
public sealed class InfluxHistoryFixture() : HistoryStoreFixture(
    new HistoryGenerator(days: 10, firstDay: DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-10)))
{
    private readonly InfluxServer _server = new();

    protected override async Task<IMonitorStore> OpenAsync()
    {
        await _server.StartAsync();
        return StoreFactory.Open(_server.Spec("history"), Retention);
    }

    /// <summary>Through the bulk path, as a spool delivers a backlog: a few requests per 500 intervals instead of a few per interval.</summary>
    protected override async Task WriteHistoryAsync()
    {
        foreach (var chunk in Generator.Generate().Chunk(500)) await Store.WriteIntervalsAsync(chunk);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _server.DisposeAsync();
    }
}
