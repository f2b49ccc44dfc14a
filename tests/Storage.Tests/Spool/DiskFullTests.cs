using Microsoft.Extensions.Logging;
using Monitor.Storage.Model.Queries;
using Monitor.Storage.Model.Snapshots;
using Monitor.Storage.Spool;
using Monitor.Storage.Sqlite;
using Monitor.Storage.Tests.Support;
using Monitor.TestKit.Filesystems;
using Monitor.TestKit.Logging;
using static Monitor.Storage.Tests.Support.Snapshots;

namespace Monitor.Storage.Tests.Spool;

/// <summary>
/// The SQLite file on a genuinely full filesystem (a small tmpfs), the spool on another one: the writer
/// says so once in the log, keeps taking intervals, and once the filesystem grows delivers each exactly once.
/// </summary>
public sealed class DiskFullTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private const long Small = 1024 * 1024;
    private readonly TempDirectory _dir = new();

    /// <summary>An interval with enough report rows (~40 KB in SQLite) to fill a small disk in a few dozen writes.</summary>
    private static IntervalSnapshot Heavy(DateTimeOffset start, long packets) =>
        Interval("edge", start, packets, reports: new Dictionary<string, IReadOnlyList<ReportRow>>
        {
            [Monitor.Storage.Model.Reports.ReportCatalog.Talkers] =
                [.. Enumerable.Range(0, 400).Select(i => Talker($"10.{packets % 200}.{i / 250}.{i % 250}", packets + i, (packets + i) * 100))],
        });

    [SmallFilesystemFact]
    public async Task A_full_filesystem_under_the_sqlite_file_is_logged_once_counting_goes_on_and_every_interval_arrives_once_after_it_grows()
    {
        using var disk = SmallFilesystem.Mount(_dir.File("small-disk"), Small);
        var log = new CapturedLog();
        using var loggers = log.Factory();
        var spool = _dir.File("spool");
        var start = Base.AddHours(6);
        var sent = new List<long>();
        await using var store = new SqliteStore(Path.Combine(disk.Path, "monitor.db"));
        var writer = new SpooledStoreWriter(store, new SpoolOptions
        {
            Directory = spool,
            RetryMin = TimeSpan.FromMilliseconds(50),
            RetryMax = TimeSpan.FromMilliseconds(200),
        }, loggers.CreateLogger<SpooledStoreWriter>());
        try
        {
            // Write intervals one by one until the disk is really full.
            for (var i = 0; i < 200 && writer.Status.StoreAvailable; i++)
            {
                sent.Add(5000 + i);
                writer.Enqueue(Heavy(start.AddSeconds(30 * i), 5000 + i));
                await SpooledStoreWriterTests.WaitUntil(() => writer.Status.Pending == 0 || !writer.Status.StoreAvailable);
            }
            Assert.False(writer.Status.StoreAvailable, $"{Small} bytes never filled up");
            output.WriteLine($"full after {sent.Count} intervals, {disk.Available} bytes left: {writer.Status.LastError}");
            Assert.True(disk.Available < 64 * 1024, $"the filesystem still has {disk.Available} bytes free");
            Assert.Contains("full", writer.Status.LastError);
            Assert.Contains(disk.Path, writer.Status.LastError);

            // The probe keeps counting: new intervals are taken at once and kept on the other filesystem.
            for (var i = sent.Count; i < sent.Count + 20; i++) writer.Enqueue(Heavy(start.AddSeconds(30 * i), 5000 + i));
            sent.AddRange(Enumerable.Range(sent.Count, 20).Select(i => 5000L + i));
            await Task.Delay(500);
            var waiting = writer.Status;
            Assert.Equal(0, waiting.Lost);
            Assert.True(waiting.Pending >= 21, $"only {waiting.Pending} intervals waiting in the spool");
            Assert.Equal(waiting.Pending, Directory.EnumerateFiles(spool, "*.spool").Count());
            var down = Assert.Single(log.Matching("Store unavailable"));
            Assert.Equal(LogLevel.Warning, down.Level);
            Assert.Contains("full", down.Message);

            disk.Resize(32 * Small);
            await SpooledStoreWriterTests.WaitUntil(() => writer.Status.Pending == 0);
            Assert.True(writer.Status.StoreAvailable);
            Assert.Single(log.Matching("Store available again"));
        }
        finally
        {
            await writer.DisposeAsync();
        }

        var stored = await store.QueryIntervalsAsync(new IntervalQuery(start, start.AddHours(2), Limit: 1000));
        Assert.Equal(sent, stored.Select(i => i.Packets));
        Assert.Equal(sent.Count, stored.Select(i => i.Start).Distinct().Count());
        // The last interval, written after the disk grew, has all its report rows with their exact counts.
        var last = start.AddSeconds(30 * (sent.Count - 1));
        var talkers = await store.QueryTopAsync(new TopQuery(Monitor.Storage.Model.Reports.ReportCatalog.Talkers, last, last.AddSeconds(30), N: 1000));
        Assert.Equal(400, talkers.Count);
        Assert.Equal(sent[^1] + 399, talkers.Max(r => Convert.ToInt64(r["packets"], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(0, writer.Status.Lost);
        foreach (var line in log.Lines) output.WriteLine(line.ToString());
    }

    public void Dispose() => _dir.Dispose();
}
