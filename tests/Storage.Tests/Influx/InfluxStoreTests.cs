using Monitor.Storage.Model;
using Monitor.Storage.Tests.Support;

namespace Monitor.Storage.Tests.Influx;

[Collection(InfluxCollection.Name)]
public sealed class InfluxStoreTests(InfluxFixture influx) : StoreContractTests
{
    protected override Task<IMonitorStore> CreateStoreAsync() => Task.FromResult(StoreFactory.Open(influx.NewSpec()));
}
