namespace Monitor.Storage.Sqlite;

/// <summary>
/// Tables of the SQLite store. Times of series points are Unix seconds; intervals, reports, summaries and
/// events use Unix milliseconds. 1-second points are one row per (probe, second) holding every metric in a
/// small blob (a row per metric would cost ~4x the space); the coarser levels are one row per
/// (level, metric, probe, time) so that consolidation and bucketing are plain SQL. Snapshots and report rows
/// are deflate-compressed JSON in ordinary rowid tables (large rows make WITHOUT ROWID trees several times bigger).
/// </summary>
internal static class SqliteSchema
{
    public const int TierInterval = 1;
    public const int TierFiveMinute = 2;
    public const int TierHour = 3;

    /// <summary>
    /// Stamped in PRAGMA user_version when the tables are made; a file with tables and another number was made
    /// by a Monitor whose rows this one cannot read (1 = snapshots and report rows as deflate-compressed BLOBs).
    /// </summary>
    public const int Version = 1;

    /// <summary>Files from before the version stamp whose intervals already hold the current compressed snapshots.</summary>
    public const string UnstampedCurrentLayout =
        "SELECT count(*) FROM pragma_table_info('intervals') WHERE name='snapshot' AND type='BLOB'";

    public const string Create = """
        CREATE TABLE IF NOT EXISTS probes(
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            interval_seconds REAL,
            last_start INTEGER, last_end INTEGER, last_packets INTEGER NOT NULL DEFAULT 0,
            last_drops REAL NOT NULL DEFAULT 0, version TEXT, last_seen INTEGER,
            newest INTEGER, summarized_until INTEGER, pruned_at INTEGER);
        CREATE TABLE IF NOT EXISTS metrics(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
        CREATE TABLE IF NOT EXISTS seconds(
            probe INTEGER NOT NULL, time INTEGER NOT NULL, data BLOB NOT NULL,
            PRIMARY KEY(probe, time)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS points(
            tier INTEGER NOT NULL, metric INTEGER NOT NULL, probe INTEGER NOT NULL, time INTEGER NOT NULL,
            dur REAL NOT NULL, min REAL NOT NULL, avg REAL NOT NULL, max REAL NOT NULL,
            PRIMARY KEY(tier, metric, probe, time)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS intervals(
            id INTEGER PRIMARY KEY, probe INTEGER NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL,
            snapshot BLOB NOT NULL, UNIQUE(probe, start));
        CREATE TABLE IF NOT EXISTS reports(
            id INTEGER PRIMARY KEY, report TEXT NOT NULL, probe INTEGER NOT NULL, start INTEGER NOT NULL,
            hosts TEXT NOT NULL, rows BLOB NOT NULL, UNIQUE(report, probe, start));
        CREATE TABLE IF NOT EXISTS report_names(name TEXT PRIMARY KEY);
        CREATE TABLE IF NOT EXISTS summaries(
            id INTEGER PRIMARY KEY, report TEXT NOT NULL, period INTEGER NOT NULL, probe INTEGER NOT NULL,
            start INTEGER NOT NULL, hosts TEXT NOT NULL, rows BLOB NOT NULL, UNIQUE(report, period, probe, start));
        CREATE TABLE IF NOT EXISTS events(
            id TEXT PRIMARY KEY, probe TEXT NOT NULL, time INTEGER NOT NULL, kind TEXT NOT NULL,
            event TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS events_time ON events(time);
        PRAGMA user_version=1;
        """;
}
