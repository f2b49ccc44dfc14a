using Microsoft.Data.Sqlite;

namespace Monitor.Storage.Sqlite;

/// <summary>The prepared statements of an interval batch, made once per transaction and reused for every interval.</summary>
internal sealed class IntervalCommands : IDisposable
{
    private readonly SqliteCommand _interval, _report, _deleteReport, _point, _deletePoint;

    public IntervalCommands(SqliteConnection connection, SqliteTransaction transaction)
    {
        _interval = Prepare(connection, transaction, "INSERT OR REPLACE INTO intervals(probe, start, end, snapshot) VALUES($p, $s, $e, $j)",
            ("$p", SqliteType.Integer), ("$s", SqliteType.Integer), ("$e", SqliteType.Integer), ("$j", SqliteType.Blob));
        _report = Prepare(connection, transaction, "INSERT OR REPLACE INTO reports(report, probe, start, hosts, rows) VALUES($r, $p, $s, $h, $j)",
            ("$r", SqliteType.Text), ("$p", SqliteType.Integer), ("$s", SqliteType.Integer), ("$h", SqliteType.Text), ("$j", SqliteType.Blob));
        _deleteReport = Prepare(connection, transaction, "DELETE FROM reports WHERE report=$r AND probe=$p AND start=$s",
            ("$r", SqliteType.Text), ("$p", SqliteType.Integer), ("$s", SqliteType.Integer));
        _point = Prepare(connection, transaction,
            "INSERT OR REPLACE INTO points(tier, metric, probe, time, dur, min, avg, max) VALUES(1, $m, $p, $t, $d, $v, $v, $v)",
            ("$m", SqliteType.Integer), ("$p", SqliteType.Integer), ("$t", SqliteType.Integer), ("$d", SqliteType.Real), ("$v", SqliteType.Real));
        _deletePoint = Prepare(connection, transaction, "DELETE FROM points WHERE tier=1 AND metric=$m AND probe=$p AND time=$t",
            ("$m", SqliteType.Integer), ("$p", SqliteType.Integer), ("$t", SqliteType.Integer));
    }

    public void Interval(long probe, long start, long end, byte[] snapshot) => Run(_interval, probe, start, end, snapshot);

    public void Report(string report, long probe, long start, string hosts, byte[] rows) => Run(_report, report, probe, start, hosts, rows);

    /// <summary>Removes every report of a stored interval, so that a replay without some of them leaves none behind.</summary>
    public void DeleteReports(long probe, long start, IEnumerable<string> reports)
    {
        foreach (var report in reports) Run(_deleteReport, report, probe, start);
    }

    public void Point(long metric, long probe, long time, double duration, double value) => Run(_point, metric, probe, time, duration, value);

    /// <summary>Removes a stored interval's series points, so that a replay without some metrics leaves none behind.</summary>
    public void DeleteIntervalPoints(long probe, long time, IEnumerable<long> metrics)
    {
        foreach (var metric in metrics) Run(_deletePoint, metric, probe, time);
    }

    public void Dispose()
    {
        _interval.Dispose();
        _report.Dispose();
        _deleteReport.Dispose();
        _point.Dispose();
        _deletePoint.Dispose();
    }

    private static SqliteCommand Prepare(SqliteConnection connection, SqliteTransaction transaction, string sql, params (string Name, SqliteType Type)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, type) in parameters) command.Parameters.Add(name, type);
        command.Prepare();
        return command;
    }

    private static void Run(SqliteCommand command, params object[] values)
    {
        for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i];
        command.ExecuteNonQuery();
    }
}
