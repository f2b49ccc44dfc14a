using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Storage;
using Monitor.TestKit.History;

namespace Monitor.Web.Tests.Features.Anomalies;

/// <summary>
/// The real site (no in-process probe) reading two generated weeks from a real SQLite file; with
/// <see cref="StartKestrel"/> it listens on a free loopback port so that a browser can open it.
/// </summary>
public sealed class HistorySite : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "monitor-days-" + Guid.NewGuid().ToString("N")[..12]);
    private WebApplicationFactory<Program>? _factory;

    public static StorageOptions Retention => new() { IntervalRetention = TimeSpan.FromDays(21), ReportRetention = TimeSpan.FromDays(21) };

    public HistoryGenerator Generator { get; } = new();
    public HistoryPlan Plan => Generator.Plan;
    public WebApplicationFactory<Program> Factory => _factory ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        var db = Path.Combine(_dir, "history.db");
        await HistoryCache.SqliteCopyAsync(Generator, Retention, db);
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Probe:Enabled", "false");
            b.UseSetting("Probe:Store", "sqlite:" + db);
            b.UseEnvironment("Production");
            b.UseStaticWebAssets();
        });
    }

    /// <summary>Starts Kestrel on 127.0.0.1 and a free port; returns the site's base address.</summary>
    public Uri StartKestrel()
    {
        Factory.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        Factory.StartServer();
        var address = Factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }

    public async Task DisposeAsync()
    {
        if (_factory is not null) await _factory.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }
}
