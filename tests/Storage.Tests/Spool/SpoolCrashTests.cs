using System.Globalization;
using Monitor.Storage.Model.Queries;
using Monitor.Storage.Sqlite;
using Monitor.Storage.Tests.Support;
using Monitor.TestKit.Filesystems;

namespace Monitor.Storage.Tests.Spool;

public sealed class SpoolCrashTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task A_writer_killed_with_sigkill_and_restarted_loses_and_duplicates_no_enqueued_interval()
    {
        var spool = _dir.File("spool");
        var spec = "sqlite:" + _dir.File("m.db");
        var baseTime = Support.Snapshots.Base.AddHours(7);
        var baseSeconds = baseTime.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

        var last = -1;
        using (var child = ChildProcess.StartSpoolChild(spool, spec, "crash", "0", "100000", baseSeconds))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (last < 60 && await child.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
                if (line.StartsWith("enqueued ", StringComparison.Ordinal)) last = int.Parse(line[9..], CultureInfo.InvariantCulture);
            child.Kill(entireProcessTree: true);
            var rest = await child.StandardOutput.ReadToEndAsync(timeout.Token);
            foreach (var line in rest.Split('\n'))
                if (line.StartsWith("enqueued ", StringComparison.Ordinal)) last = int.Parse(line[9..], CultureInfo.InvariantCulture);
            await child.WaitForExitAsync(timeout.Token);
            Assert.Equal(137, child.ExitCode);
        }
        Assert.True(last >= 60, "the child never got going");

        using (var second = ChildProcess.StartSpoolChild(spool, spec, "crash", (last + 1).ToString(CultureInfo.InvariantCulture), "10", baseSeconds))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var output = await second.StandardOutput.ReadToEndAsync(timeout.Token);
            await second.WaitForExitAsync(timeout.Token);
            Assert.True(second.ExitCode == 0, output + await second.StandardError.ReadToEndAsync(timeout.Token));
        }

        await using var store = new SqliteStore(_dir.File("m.db"));
        var intervals = await store.QueryIntervalsAsync(new IntervalQuery(baseTime, baseTime.AddDays(2)));
        var expected = last + 11;
        Assert.Equal(expected, intervals.Count);
        Assert.Equal(expected, intervals.Select(i => i.Start).Distinct().Count());
        for (var i = 0; i < expected; i++)
        {
            Assert.Equal(baseTime.AddSeconds(30 * i), intervals[i].Start);
            Assert.Equal(1000 + i, intervals[i].Packets);
        }
        Assert.Empty(Directory.EnumerateFiles(spool, "*.spool"));
    }

    public void Dispose() => _dir.Dispose();
}
