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
}
