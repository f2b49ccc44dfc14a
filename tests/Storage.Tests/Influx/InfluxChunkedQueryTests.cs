using Monitor.Storage.Influx;
using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Queries;
using Monitor.Storage.Model.Reports;
using Monitor.Storage.Tests.Support;
using static Monitor.Storage.Tests.Support.Snapshots;

namespace Monitor.Storage.Tests.Influx;

[Collection(InfluxCollection.Name)]
public sealed class InfluxChunkedQueryTests(InfluxFixture influx)
{
    [Fact]
    public async Task Answers_longer_than_a_chunk_arrive_in_several_chunks_and_lose_no_row()
    {
        var spec = influx.NewSpec();
        await using var store = StoreFactory.Open(spec, new StorageOptions { InfluxChunkSize = 7 });
        var start = Base.AddHours(10);
        var count = 60;
        await store.WriteIntervalsAsync([.. Enumerable.Range(0, count).Select(i => Interval("p1", start.AddSeconds(30 * i), 10 + i))]);
        var end = start.AddSeconds(30 * count - 1);

        var intervals = await store.QueryIntervalsAsync(new IntervalQuery(start, end));
        Assert.Equal(Enumerable.Range(0, count).Select(i => 10L + i), intervals.Select(i => i.Packets));
        Assert.All(intervals, i => Assert.Equal(2, i.Reports[ReportCatalog.Talkers].Count));
        var series = await store.QuerySeriesAsync(new SeriesQuery(MetricCatalog.Packets, start, end));
        Assert.Equal(Enumerable.Range(0, count).Select(i => Math.Round((10 + i) / 30.0, 9)), series.Points.Select(p => Math.Round(p.Avg, 9)));
        var top = await store.QueryTopAsync(new TopQuery(ReportCatalog.Talkers, start, end));
        Assert.Equal(Enumerable.Range(0, count).Sum(i => 10L + i), top[0].Number("packets"));

        var parsed = InfluxSpec.Parse(spec);
        using var client = new InfluxClient(parsed, TimeSpan.FromSeconds(30), chunkSize: 7);
        var chunks = 0;
        var rows = 0;
        await foreach (var (statement, piece) in client.QueryChunksAsync(
            $"SELECT \"rows\" FROM {InfluxQl.Identifier(parsed.Database)}.\"monitor_interval\".\"reports\" " +
            $"WHERE time >= {InfluxQl.Time(start.ToUnixTimeMilliseconds())} AND time <= {InfluxQl.Time(end.ToUnixTimeMilliseconds())}", default))
        {
            Assert.Equal(0, statement);
            Assert.True(piece.Rows.Count <= 7);
            chunks++;
            rows += piece.Rows.Count;
        }
        Assert.Equal(count, rows);
        Assert.True(chunks >= count / 7, $"{chunks} chunks");
    }
}
