using Microsoft.Extensions.Logging.Abstractions;
using Monitor.Storage.Model;
using Monitor.Storage.Model.Queries;
using Monitor.Storage.Model.Snapshots;
using Monitor.Storage.Spool;
using Monitor.Storage.Sqlite;
using Monitor.Storage.Tests.Support;
using Monitor.TestKit.Filesystems;
using static Monitor.Storage.Tests.Support.Snapshots;

namespace Monitor.Storage.Tests.Spool;

public sealed class SpooledStoreWriterTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private SpoolOptions Options(long maxBytes = 64L * 1024 * 1024) => new()
    {
        Directory = _dir.File("spool"),
        MaxBytes = maxBytes,
        RetryMin = TimeSpan.FromMilliseconds(50),
        RetryMax = TimeSpan.FromMilliseconds(200),
        FlushTimeout = TimeSpan.FromSeconds(10),
    };

    [Fact]
    public async Task Everything_enqueued_reaches_the_store_in_order()
    {
        await using var store = new SqliteStore(_dir.File("m.db"));
        var writer = new SpooledStoreWriter(store, Options(), NullLogger.Instance);
        var start = Base.AddHours(1);
        for (var i = 0; i < 20; i++)
        {
            writer.Enqueue([Second("p1", start.AddSeconds(30 * i), i)]);
            writer.Enqueue(Interval("p1", start.AddSeconds(30 * i), 100 + i));
        }
        writer.Enqueue(new MonitorEvent { Id = "x", Probe = "p1", Time = start, Kind = EventKinds.ProbeStart, Message = "start" });
        await writer.DisposeAsync();

        Assert.Equal(41, writer.Status.Delivered);
        Assert.Equal(0, writer.Status.Pending);
        Assert.Empty(Directory.EnumerateFiles(_dir.File("spool"), "*.spool"));
        var intervals = await store.QueryIntervalsAsync(new IntervalQuery(start, start.AddHours(1)));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => 100L + i), intervals.Select(i => i.Packets));
        Assert.Single(await store.QueryEventsAsync(new EventQuery(start.AddHours(-1), start.AddHours(1))));
    }

    [Fact]
    public async Task A_full_sqlite_disk_is_a_clear_error_and_the_spool_delivers_everything_once_space_returns()
    {
        await using var store = new SqliteStore(_dir.File("m.db"));
        var start = Base.AddHours(2);
        var direct = await FillUp(store);
        Assert.Contains("full", direct.Message);

        await using var writer = new SpooledStoreWriter(store, Options(), NullLogger.Instance);
        for (var i = 0; i < 30; i++) writer.Enqueue(Big(start.AddSeconds(30 * i), 1000 + i));
        await WaitUntil(() => !writer.Status.StoreAvailable);
        Assert.Contains("full", writer.Status.LastError);
        Assert.Equal(30, writer.Status.Pending);
        Assert.Equal(0, writer.Status.Lost);

        store.MaxPageCount = null;
        await WaitUntil(() => writer.Status.Pending == 0);
        var intervals = await store.QueryIntervalsAsync(new IntervalQuery(start, start.AddHours(1)));
        Assert.Equal(Enumerable.Range(0, 30).Select(i => 1000L + i), intervals.Select(i => i.Packets));
        Assert.True(writer.Status.StoreAvailable);
    }

    [Fact]
    public async Task A_full_spool_drops_the_oldest_second_points_first_and_reports_the_loss()
    {
        await using var store = new SqliteStore(_dir.File("m.db"));
        var start = Base.AddHours(3);
        await FillUp(store);
        var options = Options(maxBytes: 512 * 1024);
        options.Fsync = false;
        await using var writer = new SpooledStoreWriter(store, options, NullLogger.Instance);
        for (var i = 0; i < 10; i++) writer.Enqueue(Big(start.AddSeconds(30 * i), 500 + i));
        for (var i = 0; i < 3000; i++) writer.Enqueue([Second("p1", start.AddSeconds(i), i)]);
        Assert.True(writer.Status.Lost > 0);
        Assert.True(writer.Status.PendingBytes <= 512 * 1024);

        store.MaxPageCount = null;
        await WaitUntil(() => writer.Status.Pending == 0);
        var intervals = await store.QueryIntervalsAsync(new IntervalQuery(start, start.AddHours(1)));
        Assert.Equal(10, intervals.Count);
        await WaitUntil(async () => (await store.QueryEventsAsync(new EventQuery(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1), Kind: EventKinds.StoreLoss))).Count == 1);
        var loss = Assert.Single(await store.QueryEventsAsync(new EventQuery(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1), Kind: EventKinds.StoreLoss)));
        Assert.Equal(writer.Status.Lost.ToString(System.Globalization.CultureInfo.InvariantCulture), loss.Details["second_batches"]);
        Assert.Equal("0", loss.Details["intervals"]);
        Assert.Equal("p1", loss.Probe);
    }

    [Fact]
    public async Task Items_left_in_the_spool_are_delivered_by_the_next_writer_on_the_same_folder()
    {
        await using var store = new SqliteStore(_dir.File("m.db"));
        var start = Base.AddHours(4);
        await FillUp(store);
        var first = new SpooledStoreWriter(store, ShortFlush(Options()), NullLogger.Instance);
        for (var i = 0; i < 5; i++) first.Enqueue(Big(start.AddSeconds(30 * i), 70 + i));
        Assert.Throws<IOException>(() => new SpooledStoreWriter(store, Options(), NullLogger.Instance));
        await first.DisposeAsync();
        Assert.Equal(5, first.Status.Pending);

        store.MaxPageCount = null;
        await using (var second = new SpooledStoreWriter(store, Options(), NullLogger.Instance))
            second.Enqueue(Interval("p1", start.AddSeconds(150), 75));
        var intervals = await store.QueryIntervalsAsync(new IntervalQuery(start, start.AddHours(1)));
        Assert.Equal(Enumerable.Range(0, 6).Select(i => 70L + i), intervals.Select(i => i.Packets));
    }

    [Fact]
    public async Task A_backlog_goes_to_the_store_in_bulk_and_a_refused_interval_in_it_costs_only_itself()
    {
        await using var store = new SqliteStore(_dir.File("m.db"));
        var start = Base.AddHours(5);
        await FillUp(store);
        await using var writer = new SpooledStoreWriter(store, Options(), NullLogger.Instance);
        for (var i = 0; i < 30; i++)
            writer.Enqueue(i == 17
                ? Interval("p1", start.AddSeconds(30 * i), 1) with { End = start.AddSeconds(30 * i - 1) }
                : Big(start.AddSeconds(30 * i), 2000 + i));
        await WaitUntil(() => !writer.Status.StoreAvailable);
        Assert.Equal(30, writer.Status.Pending);

        store.MaxPageCount = null;
        await WaitUntil(() => writer.Status.Pending == 0);
        Assert.Equal(29, writer.Status.Delivered);
        Assert.Equal(1, writer.Status.Lost);
        Assert.Contains("end before it starts", writer.Status.LastError);
        var intervals = await store.QueryIntervalsAsync(new IntervalQuery(start, start.AddHours(1)));
        Assert.Equal(Enumerable.Range(0, 30).Where(i => i != 17).Select(i => 2000L + i), intervals.Select(i => i.Packets));
    }

    /// <summary>An interval whose report rows need fresh pages, so a store at its page limit cannot take it.</summary>
    private static IntervalSnapshot Big(DateTimeOffset start, long packets) =>
        Interval("p1", start, packets, reports: new Dictionary<string, IReadOnlyList<ReportRow>>
        {
            [Monitor.Storage.Model.Reports.ReportCatalog.Talkers] = [.. Enumerable.Range(0, 300).Select(i => Talker($"10.9.{i / 250}.{i % 250}", packets, packets * 100))],
        });

    /// <summary>Limits the file to its current pages and writes until SQLite says it is full.</summary>
    private static async Task<StoreWriteException> FillUp(SqliteStore store)
    {
        await store.WriteIntervalsAsync([Interval("p1", Base.AddDays(-1), 1)]);
        store.MaxPageCount = store.PageCount();
        for (var i = 0; i < 100; i++)
        {
            try { await store.WriteIntervalsAsync([Big(Base.AddDays(-1).AddSeconds(30 * (i + 1)), 1)]); }
            catch (StoreWriteException e) { return e; }
        }
        throw new InvalidOperationException("the page limit never filled the store");
    }

    private static SpoolOptions ShortFlush(SpoolOptions options)
    {
        options.FlushTimeout = TimeSpan.FromMilliseconds(300);
        return options;
    }

    internal static async Task WaitUntil(Func<bool> condition) => await WaitUntil(() => Task.FromResult(condition()));

    internal static async Task WaitUntil(Func<Task<bool>> condition, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met in time");
            await Task.Delay(25);
        }
    }

    public void Dispose() => _dir.Dispose();
}
