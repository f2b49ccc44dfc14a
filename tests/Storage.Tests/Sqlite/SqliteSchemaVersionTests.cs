using Microsoft.Data.Sqlite;
using Monitor.Storage.Model.Queries;
using Monitor.Storage.Sqlite;
using Monitor.Storage.Tests.Support;
using Monitor.TestKit.Filesystems;
using static Monitor.Storage.Tests.Support.Snapshots;

namespace Monitor.Storage.Tests.Sqlite;

public sealed class SqliteSchemaVersionTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private static void Run(string path, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static long UserVersion(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version";
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public void A_file_made_by_an_older_monitor_is_refused_at_open_with_a_one_line_error_naming_it()
    {
        var path = _dir.File("old.db");
        Run(path, """
            CREATE TABLE intervals(
                probe INTEGER NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL, snapshot TEXT NOT NULL,
                PRIMARY KEY(probe, start)) WITHOUT ROWID;
            INSERT INTO intervals VALUES(1, 0, 30000, '{"probe":"p1"}');
            """);

        var error = Assert.Throws<InvalidDataException>(() => StoreFactory.Open("sqlite:" + path));

        Assert.Contains(path, error.Message);
        Assert.Contains("older Monitor version", error.Message);
        Assert.Contains("move it aside", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task A_new_file_is_stamped_and_opens_again_with_what_was_written()
    {
        var path = _dir.File("new.db");
        await using (var store = new SqliteStore(path))
            await store.WriteIntervalsAsync([Interval("p1", Base, 30)]);
        Assert.Equal(SqliteSchema.Version, UserVersion(path));

        await using var reopened = StoreFactory.Open("sqlite:" + path);
        var stored = Assert.Single(await reopened.QueryIntervalsAsync(new IntervalQuery(Base, Base.AddMinutes(1))));
        Assert.Equal(30, stored.Packets);
    }

    [Fact]
    public async Task A_file_of_the_current_layout_from_before_the_stamp_opens_and_gets_stamped()
    {
        var path = _dir.File("unstamped.db");
        await using (var store = new SqliteStore(path))
            await store.WriteIntervalsAsync([Interval("p1", Base, 30)]);
        Run(path, "PRAGMA user_version=0");

        await using var reopened = new SqliteStore(path);
        Assert.Single(await reopened.QueryIntervalsAsync(new IntervalQuery(Base, Base.AddMinutes(1))));
        Assert.Equal(SqliteSchema.Version, UserVersion(path));
    }

    [Fact]
    public void A_file_from_a_newer_monitor_is_refused_too()
    {
        var path = _dir.File("newer.db");
        Run(path, "CREATE TABLE probes(id INTEGER PRIMARY KEY, name TEXT); PRAGMA user_version=99");

        var error = Assert.Throws<InvalidDataException>(() => new SqliteStore(path));
        Assert.Contains("newer Monitor version", error.Message);
    }

    public void Dispose() => _dir.Dispose();
}
