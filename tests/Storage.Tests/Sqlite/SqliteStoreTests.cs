using Monitor.Storage.Model;
using Monitor.Storage.Model.Queries;
using Monitor.Storage.Model.Reports;
using Monitor.Storage.Model.Snapshots;
using Monitor.Storage.Sqlite;
using Monitor.Storage.Tests.Support;
using Monitor.TestKit.Filesystems;

namespace Monitor.Storage.Tests.Sqlite;

public sealed class SqliteStoreTests : StoreContractTests, IDisposable
{
    private readonly TempDirectory _dir = new();

    protected override Task<IMonitorStore> CreateStoreAsync() =>
        Task.FromResult<IMonitorStore>(new SqliteStore(_dir.File("monitor.db")));

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task An_hour_summary_counts_the_rows_the_file_holds_when_another_writer_replaced_some()
    {
        var hour = Snapshots.Base.AddHours(3);
        static IReadOnlyDictionary<string, IReadOnlyList<ReportRow>> Talker(long packets) =>
            new Dictionary<string, IReadOnlyList<ReportRow>> { [ReportCatalog.Talkers] = [Snapshots.Talker("10.0.0.1", packets, packets * 100)] };
        await using var writer = new SqliteStore(_dir.File("monitor.db"));
        await using var other = new SqliteStore(_dir.File("monitor.db"));

        await writer.WriteIntervalsAsync([Snapshots.Interval("p", hour, 5, reports: Talker(5)), Snapshots.Interval("p", hour.AddSeconds(30), 5, reports: Talker(5))]);
        await other.WriteIntervalsAsync([Snapshots.Interval("p", hour.AddSeconds(30), 100, reports: Talker(100))]);
        // The next hour's first interval makes the writer summarize the hour, which it wrote all but one row of itself.
        await writer.WriteIntervalsAsync([Snapshots.Interval("p", hour.AddHours(1), 1, reports: Talker(1))]);

        var top = await writer.QueryTopAsync(new TopQuery(ReportCatalog.Talkers, hour, hour.AddHours(1)));
        Assert.Equal(105, top.Single().Number("packets"));
    }
}
