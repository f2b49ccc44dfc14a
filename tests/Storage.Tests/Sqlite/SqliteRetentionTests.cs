using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Queries;
using Monitor.Storage.Model.Reports;
using Monitor.Storage.Sqlite;
using Monitor.Storage.Tests.Support;
using Monitor.TestKit.Filesystems;
using static Monitor.Storage.Tests.Support.Snapshots;

namespace Monitor.Storage.Tests.Sqlite;

public sealed class SqliteRetentionTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Old_fine_points_are_pruned_while_consolidations_and_summaries_still_answer()
    {
        var options = new StorageOptions
        {
            SecondRetention = TimeSpan.FromMinutes(5),
            IntervalRetention = TimeSpan.FromMinutes(30),
            ReportRetention = TimeSpan.FromHours(2),
        };
        await using var store = new SqliteStore(_dir.File("m.db"), options);
        var start = Base.AddHours(13);
        for (var i = 0; i < 360; i++)
        {
            await store.WriteSecondsAsync([Second("p1", start.AddSeconds(30 * i), i)]);
            await store.WriteIntervalsAsync([Interval("p1", start.AddSeconds(30 * i), 300)]);
        }

        Assert.Empty(await store.QueryIntervalsAsync(new IntervalQuery(start, start.AddHours(1))));
        Assert.NotEmpty(await store.QueryIntervalsAsync(new IntervalQuery(start.AddHours(2.6), start.AddHours(3))));
        var early = await store.QuerySeriesAsync(new SeriesQuery(MetricCatalog.Packets, start, start.AddMinutes(30).AddSeconds(-1), MaxPoints: 1800));
        Assert.Equal(TimeSpan.FromMinutes(5), early.Resolution);
        Assert.Equal(6, early.Points.Count);
        Assert.All(early.Points, p => Assert.Equal(10, p.Avg, 9));
        var top = await store.QueryTopAsync(new TopQuery(ReportCatalog.Talkers, start, start.AddHours(2)));
        Assert.Equal(240 * 300, top[0].Number("packets"));
        Assert.Throws<ArgumentException>(() => new StorageOptions { ReportRetention = TimeSpan.FromMinutes(30) }.Validate());
        var pages = store.PageCount();
        Assert.True(pages < 400, $"database has {pages} pages");
    }

    public void Dispose() => _dir.Dispose();
}
