using Monitor.TestKit.Servers;

namespace Monitor.Storage.Tests.Support;

/// <summary>One influxd shared by the InfluxDB test classes; each test uses its own database.</summary>
public sealed class InfluxFixture : IAsyncLifetime
{
    public InfluxServer Server { get; } = new();

    public Task InitializeAsync() => Server.StartAsync();

    public Task DisposeAsync() => Server.DisposeAsync().AsTask();

    public string NewSpec() => Server.Spec("t" + Guid.NewGuid().ToString("N")[..12]);
}

[CollectionDefinition(Name)]
public sealed class InfluxCollection : ICollectionFixture<InfluxFixture>
{
    public const string Name = "influxd";
}
