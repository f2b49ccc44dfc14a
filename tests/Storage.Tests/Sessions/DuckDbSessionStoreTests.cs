using Monitor.Storage.Sessions;

namespace Monitor.Storage.Tests.Sessions;

/// <summary>The contract on a real DuckDB file in a temp folder.</summary>
public sealed class DuckDbSessionStoreTests : SessionStoreContractTests, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("monitor-sessions-").FullName;

    protected override Task<ISessionStore> CreateStoreAsync(SessionStoreOptions? options = null)
    {
        options ??= new SessionStoreOptions();
        options.Store = $"duckdb:{Path.Combine(_folder, $"{Guid.NewGuid():N}.duckdb")}";
        return Task.FromResult(SessionStores.Open(options)!);
    }

    [Fact]
    public async Task Past_the_size_bound_the_oldest_records_are_deleted()
    {
        var options = new SessionStoreOptions { MaxBytes = 1 << 20 };
        await using var store = await CreateStoreAsync(options);
        // Random addresses and counts, so that the columns do not compress to nothing.
        var random = new Random(1);
        var records = Enumerable.Range(0, 200_000).Select(i => new SessionRecord(T0.AddSeconds(i), T0.AddSeconds(i + random.Next(100)), 6,
            SessionAddress.FromV4((uint)random.Next()), (ushort)random.Next(65536), SessionAddress.FromV4((uint)random.Next()), (ushort)random.Next(65536),
            random.Next(), random.Next(), random.Next(), random.Next(), 2, 18, SessionState.SF, 0, 0, 0, SessionEnd.Closed)).ToList();
        await store.WriteAsync("p1", records);
        // The write itself prunes (at most every 10 minutes); prune again now in case it ran before this batch.
        await store.PruneAsync(T0.AddDays(1));
        var left = await store.SearchAsync(new SessionQuery(T0, T0.AddDays(3), Limit: 1));
        Assert.InRange(left.Total, 1, 200_000 - 10_000);
        Assert.True(left.Sessions[0].Start > T0);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
