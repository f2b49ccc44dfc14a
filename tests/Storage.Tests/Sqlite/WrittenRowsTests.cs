using Monitor.Storage.Model.Snapshots;
using Monitor.Storage.Sqlite;

namespace Monitor.Storage.Tests.Sqlite;

public sealed class WrittenRowsTests
{
    private static readonly IReadOnlyList<ReportRow> Rows = [new ReportRow([new ReportField("ip", "10.0.0.5"), new ReportField("bytes", 42L)])];

    [Fact]
    public void Past_its_bound_it_keeps_no_more_lists_until_summarized_ones_are_forgotten()
    {
        var written = new WrittenRows();
        var blob = new byte[] { 1, 2, 3 };
        for (var start = 0; start < WrittenRows.MaxLists + 100; start++) written.Remember(1, 0, "talkers", start, blob, Rows);

        Assert.Equal(WrittenRows.MaxLists, written.Count);
        Assert.True(written.TryGet(1, 0, "talkers", 0, blob, out var kept));
        Assert.Equal("10.0.0.5", kept[0]["ip"]);
        // Not kept: the summary reads this one from the file.
        Assert.False(written.TryGet(1, 0, "talkers", WrittenRows.MaxLists + 50, blob, out _));

        written.Forget(1, 0, until: 1000);
        written.Remember(1, 0, "talkers", WrittenRows.MaxLists + 50, blob, Rows);
        Assert.True(written.TryGet(1, 0, "talkers", WrittenRows.MaxLists + 50, blob, out _));
    }
}
