using Monitor.Storage.Sessions;
using Monitor.TestKit.Servers;

namespace Monitor.Storage.Tests.Sessions;

/// <summary>One clickhouse-server for every ClickHouse test class.</summary>
public sealed class ClickHouseFixture : IAsyncLifetime
{
    private int _databases;

    public ClickHouseServer Server { get; } = new();

    /// <summary>A fresh database on the shared server.</summary>
    public string NewSpec() => Server.Spec($"sessions_{Interlocked.Increment(ref _databases)}");

    public Task InitializeAsync() => Server.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ClickHouseCollection : ICollectionFixture<ClickHouseFixture>
{
    public const string Name = "clickhouse";
}

/// <summary>The contract on a real ClickHouse 18.16 server the tests start on loopback.</summary>
[Collection(ClickHouseCollection.Name)]
public sealed class ClickHouseSessionStoreTests(ClickHouseFixture clickHouse) : SessionStoreContractTests
{
    protected override Task<ISessionStore> CreateStoreAsync(SessionStoreOptions? options = null)
    {
        options ??= new SessionStoreOptions();
        options.Store = clickHouse.NewSpec();
        return Task.FromResult(SessionStores.Open(options)!);
    }

    [Fact]
    public async Task A_store_written_before_the_host_index_existed_is_indexed_once_when_opened_and_its_host_searches_find_every_record()
    {
        var spec = clickHouse.NewSpec();
        var database = new Uri(spec).AbsolutePath.Trim('/');
        var t0 = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        SessionRecord Record(string src, string dst, ushort dport, double at) =>
            new(t0.AddSeconds(at), t0.AddSeconds(at + 1), 6, SessionAddress.Parse(src), 40000, SessionAddress.Parse(dst), dport,
                3, 300, 2, 2000, 0x13, 0x12, SessionState.SF, 0, 0, 0, SessionEnd.Closed);
        await using (var first = SessionStores.Open(new SessionStoreOptions { Store = spec })!)
            await first.WriteAsync("p1", [Record("10.0.0.5", "203.0.113.66", 443, 0), Record("10.0.0.6", "10.0.0.5", 22, 10), Record("10.0.0.5", "10.0.0.5", 80, 20)]);
        // What an older Monitor left: the records without their index.
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{clickHouse.Server.HttpPort}/") };
        foreach (var sql in new[] { $"DROP TABLE {database}.sessions_by_host_feed", $"DROP TABLE {database}.sessions_by_host" })
            (await http.PostAsync("", new StringContent(sql))).EnsureSuccessStatusCode();

        await using var reopened = SessionStores.Open(new SessionStoreOptions { Store = spec })!;
        await reopened.WriteAsync("p1", [Record("198.51.100.9", "10.0.0.5", 25, 30)]);
        await using var again = SessionStores.Open(new SessionStoreOptions { Store = spec })!;
        var page = await again.SearchAsync(new SessionQuery(t0, t0.AddDays(1), SessionFilter.Parse("host 10.0.0.5"), Limit: 100));

        Assert.Equal(4, page.Total);
        Assert.Equal([443, 22, 80, 25], page.Sessions.Select(s => (int)s.DstPort));
        // Each session from one record, counted once: the index holds a host talking to itself once too.
        Assert.All(page.Sessions, s => Assert.Equal((1, 5L), (s.Records, s.PacketsSrc + s.PacketsDst)));
    }
}
