using Monitor.Storage.Influx;
using Monitor.Storage.Sqlite;
using Monitor.Storage.Tests.Support;
using Monitor.TestKit.Filesystems;

namespace Monitor.Storage.Tests;

public sealed class StoreFactoryTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task A_sqlite_spec_opens_a_file_store_and_creates_its_folder()
    {
        var path = _dir.File("sub/monitor.db");
        await using var store = StoreFactory.Open("sqlite:" + path);
        Assert.Equal(path, Assert.IsType<SqliteStore>(store).Path);
        Assert.True(File.Exists(path));
    }

    [Fact]
    public async Task An_influx_spec_carries_host_port_database_and_optional_credentials()
    {
        await using var store = StoreFactory.Open("influx://monitor:s%40cret@127.0.0.1:8086/net");
        var spec = Assert.IsType<InfluxStore>(store).Spec;
        Assert.Equal(new Uri("http://127.0.0.1:8086/"), spec.BaseAddress);
        Assert.Equal("net", spec.Database);
        Assert.Equal("monitor", spec.User);
        Assert.Equal("s@cret", spec.Password);
        Assert.DoesNotContain("s@cret", spec.ToString());
        Assert.Null(InfluxSpec.Parse("influx://localhost:8086/db").User);
    }

    [Theory]
    [InlineData("")]
    [InlineData("mysql://x")]
    [InlineData("sqlite:")]
    [InlineData("influx://localhost/db")]
    [InlineData("influx://localhost:8086/")]
    [InlineData("influx://u:pw@:8086/db")]
    public void A_bad_spec_is_an_argument_error_that_names_the_accepted_forms(string spec)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => StoreFactory.Open(spec));
        Assert.Contains("influx://", error.Message);
        Assert.DoesNotContain("pw", error.Message);
    }

    public void Dispose() => _dir.Dispose();
}
