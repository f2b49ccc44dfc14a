using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Monitor.Web.Features.Alerts;

/// <summary>A mail as composed; the outbox keeps it until the SMTP server accepted it.</summary>
public sealed record OutgoingMail(string Kind, string Rule, string Subject, IReadOnlyList<string> To, string Text, string Html);

public sealed record OutboxItem(
    long Id, DateTimeOffset Created, OutgoingMail Mail, int Attempts, DateTimeOffset NextAttempt, string? LastError, DateTimeOffset? Sent);

public sealed record OutboxStatus(
    int Pending, int Sent, DateTimeOffset? OldestPending, DateTimeOffset? NextAttempt, string? LastError, DateTimeOffset? LastSent);

/// <summary>
/// The persistent outbox: a SQLite file where every mail is written (and synced) before any attempt
/// to send it, so a stopped SMTP server or a restarted site loses none. Sent mails are kept a while
/// for the Alerts page, then pruned.
/// </summary>
public sealed class AlertOutbox : IDisposable
{
    public static readonly TimeSpan KeepSent = TimeSpan.FromDays(30);

    private readonly SqliteConnection _connection;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _work = new(0);

    public AlertOutbox(string path)
    {
        Path = path;
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        _connection.Open();
        Execute("""
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=FULL;
            CREATE TABLE IF NOT EXISTS outbox(
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              created INTEGER NOT NULL,
              kind TEXT NOT NULL,
              rule TEXT NOT NULL,
              subject TEXT NOT NULL,
              recipients TEXT NOT NULL,
              text_body TEXT NOT NULL,
              html_body TEXT NOT NULL,
              attempts INTEGER NOT NULL DEFAULT 0,
              next_attempt INTEGER NOT NULL,
              last_error TEXT,
              sent INTEGER);
            CREATE INDEX IF NOT EXISTS outbox_pending ON outbox(sent, next_attempt);
            """);
    }

    public string Path { get; }

    public long Enqueue(OutgoingMail mail, DateTimeOffset now)
    {
        long id;
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                INSERT INTO outbox(created, kind, rule, subject, recipients, text_body, html_body, next_attempt)
                VALUES ($created, $kind, $rule, $subject, $recipients, $text, $html, $created);
                SELECT last_insert_rowid();
                """;
            command.Parameters.AddWithValue("$created", now.UtcTicks);
            command.Parameters.AddWithValue("$kind", mail.Kind);
            command.Parameters.AddWithValue("$rule", mail.Rule);
            command.Parameters.AddWithValue("$subject", mail.Subject);
            command.Parameters.AddWithValue("$recipients", JsonSerializer.Serialize(mail.To));
            command.Parameters.AddWithValue("$text", mail.Text);
            command.Parameters.AddWithValue("$html", mail.Html);
            id = (long)command.ExecuteScalar()!;
        }
        _work.Release();
        return id;
    }

    /// <summary>Waits until a mail is enqueued or the timeout passes.</summary>
    public async Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await _work.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        while (_work.CurrentCount > 0) await _work.WaitAsync(0, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Once any pending mail is due, every pending mail, oldest first. Each mail keeps its own back-off,
    /// so while the server is down a later mail (a RESOLVED) can fall due before an earlier one (its alert);
    /// sending the whole queue in the order it was written keeps an alert ahead of its resolution.
    /// </summary>
    public IReadOnlyList<OutboxItem> Due(DateTimeOffset now, int limit = 100) =>
        Query("""
            WHERE sent IS NULL AND EXISTS (SELECT 1 FROM outbox WHERE sent IS NULL AND next_attempt <= $now)
            ORDER BY id LIMIT $limit
            """, ("$now", now.UtcTicks), ("$limit", limit));

    public IReadOnlyList<OutboxItem> Recent(int limit = 20) =>
        Query("ORDER BY id DESC LIMIT $limit", ("$limit", limit));

    public void MarkSent(long id, DateTimeOffset at)
    {
        lock (_lock)
        {
            Execute("UPDATE outbox SET sent=$at, attempts=attempts+1, last_error=NULL WHERE id=$id", ("$at", at.UtcTicks), ("$id", id));
            Execute("DELETE FROM outbox WHERE sent IS NOT NULL AND sent < $old", ("$old", (at - KeepSent).UtcTicks));
        }
    }

    public void MarkFailed(long id, string error, DateTimeOffset nextAttempt)
    {
        lock (_lock)
            Execute("UPDATE outbox SET attempts=attempts+1, last_error=$error, next_attempt=$next WHERE id=$id",
                ("$error", error), ("$next", nextAttempt.UtcTicks), ("$id", id));
    }

    /// <summary>Moves every pending mail's next attempt to now (after a test mail or a configuration fix).</summary>
    public void RetryNow(DateTimeOffset now)
    {
        lock (_lock) Execute("UPDATE outbox SET next_attempt=$now WHERE sent IS NULL", ("$now", now.UtcTicks));
        _work.Release();
    }

    public OutboxStatus Status()
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                SELECT
                  (SELECT COUNT(*) FROM outbox WHERE sent IS NULL),
                  (SELECT COUNT(*) FROM outbox WHERE sent IS NOT NULL),
                  (SELECT MIN(created) FROM outbox WHERE sent IS NULL),
                  (SELECT MIN(next_attempt) FROM outbox WHERE sent IS NULL),
                  (SELECT last_error FROM outbox WHERE sent IS NULL AND last_error IS NOT NULL ORDER BY id DESC LIMIT 1),
                  (SELECT MAX(sent) FROM outbox)
                """;
            using var reader = command.ExecuteReader();
            reader.Read();
            return new OutboxStatus(reader.GetInt32(0), reader.GetInt32(1), Time(reader, 2), Time(reader, 3),
                reader.IsDBNull(4) ? null : reader.GetString(4), Time(reader, 5));
        }
    }

    public void Dispose()
    {
        lock (_lock) _connection.Dispose();
        _work.Dispose();
    }

    private List<OutboxItem> Query(string tail, params (string Name, object Value)[] parameters)
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT id, created, kind, rule, subject, recipients, text_body, html_body, attempts, next_attempt, last_error, sent FROM outbox " + tail;
            foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
            using var reader = command.ExecuteReader();
            var items = new List<OutboxItem>();
            while (reader.Read())
            {
                var mail = new OutgoingMail(reader.GetString(2), reader.GetString(3), reader.GetString(4),
                    JsonSerializer.Deserialize<List<string>>(reader.GetString(5)) ?? [], reader.GetString(6), reader.GetString(7));
                items.Add(new OutboxItem(reader.GetInt64(0), Time(reader, 1)!.Value, mail, reader.GetInt32(8), Time(reader, 9)!.Value,
                    reader.IsDBNull(10) ? null : reader.GetString(10), Time(reader, 11)));
            }
            return items;
        }
    }

    private void Execute(string sql, params (string Name, object Value)[] parameters)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        command.ExecuteNonQuery();
    }

    private static DateTimeOffset? Time(SqliteDataReader reader, int column) =>
        reader.IsDBNull(column) ? null : new DateTimeOffset(reader.GetInt64(column), TimeSpan.Zero);

    internal static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}
