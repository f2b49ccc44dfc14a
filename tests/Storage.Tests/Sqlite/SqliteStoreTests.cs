using Monitor.Storage.Model;
using Monitor.Storage.Sqlite;
using Monitor.Storage.Tests.Support;
using Monitor.TestKit.Filesystems;

namespace Monitor.Storage.Tests.Sqlite;

public sealed class SqliteStoreTests : StoreContractTests, IDisposable
{
    private readonly TempDirectory _dir = new();

    protected override Task<IMonitorStore> CreateStoreAsync() =>
        Task.FromResult<IMonitorStore>(new SqliteStore(_dir.File("monitor.db")));

    public void Dispose() => _dir.Dispose();
}
