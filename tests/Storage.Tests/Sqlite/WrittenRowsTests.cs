using Microsoft.Extensions.Time.Testing;
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

    [Fact]
    public void A_list_older_than_its_age_bound_is_dropped_so_a_live_hour_is_read_from_the_file()
    {
        var clock = new FakeTimeProvider();
        var written = new WrittenRows(clock);
        var blob = new byte[] { 1, 2, 3 };
        written.Remember(1, 0, "talkers", 0, blob, Rows);

        clock.Advance(WrittenRows.KeepFor / 2);
        written.Remember(1, 0, "talkers", 1000, blob, Rows);
        Assert.True(written.TryGet(1, 0, "talkers", 0, blob, out _));

        clock.Advance(WrittenRows.KeepFor / 2);
        written.Remember(1, 0, "talkers", 2000, blob, Rows);
        // The first is a full age bound old; the second only half.
        Assert.False(written.TryGet(1, 0, "talkers", 0, blob, out _));
        Assert.True(written.TryGet(1, 0, "talkers", 1000, blob, out _));
        Assert.Equal(2, written.Count);
    }
}
