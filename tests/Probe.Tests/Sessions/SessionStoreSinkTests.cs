using Microsoft.Extensions.Logging.Abstractions;
using Monitor.Probe.Sessions;
using Monitor.Storage.Sessions;
using Monitor.Storage.Spool;

namespace Monitor.Probe.Tests.Sessions;

/// <summary>The session sink on a real DuckDB file: when records reach the store, live and reading a capture.</summary>
public sealed class SessionStoreSinkTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 15, 0, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("session-sink-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Live_the_records_are_in_the_store_once_the_collector_runs_dry()
    {
        await using var store = Open();
        var sink = new SessionStoreSink(store, "p1", new SpoolOptions(), NullLogger.Instance);

        sink.Write(Records(0, 300));
        sink.Flush();

        Assert.Equal(300, await CountAsync(store));
    }

    [Fact]
    public async Task Reading_a_capture_the_records_wait_for_a_full_batch_or_the_end_and_none_is_lost()
    {
        await using var store = Open();
        var sink = new SessionStoreSink(store, "p1", new SpoolOptions(), NullLogger.Instance, offline: true);

        for (var i = 0; i < 3; i++)
        {
            sink.Write(Records(i * 300, 300));
            sink.Flush();
        }
        Assert.Equal(0, await CountAsync(store));

        sink.Complete();
        Assert.Equal(900, await CountAsync(store));
    }

    private ISessionStore Open() =>
        SessionStores.Open(new SessionStoreOptions { Store = $"duckdb:{Path.Combine(_folder, $"{Guid.NewGuid():N}.duckdb")}" })!;

    private static async Task<long> CountAsync(ISessionStore store) =>
        (await store.SearchAsync(new SessionQuery(T0, T0.AddDays(1), Limit: 1))).Total;

    private static SessionRecord[] Records(int first, int count) =>
    [
        .. Enumerable.Range(first, count).Select(i => new SessionRecord(T0.AddSeconds(i), T0.AddSeconds(i + 1), 6,
            SessionAddress.FromV4(0x0A000001), (ushort)(1024 + i), SessionAddress.FromV4(0x0A000002), 80,
            1, 60, 1, 60, 2, 18, SessionState.SF, 0, 0, 0, SessionEnd.Closed)),
    ];
}
