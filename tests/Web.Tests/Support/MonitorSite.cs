using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Storage.Model;

namespace Monitor.Web.Tests.Support;

/// <summary>
/// The real site (Program) over a fresh SQLite file in a temporary directory. With kestrel it listens
/// on a free loopback port for the browser; otherwise requests go through the in-memory test server.
/// By default the in-process probe is off; give Probe:Read to replay a capture through it.
/// </summary>
public sealed class MonitorSite : WebApplicationFactory<Program>
{
    private readonly IReadOnlyDictionary<string, string?> _settings;

    public MonitorSite(bool kestrel = false, IReadOnlyDictionary<string, string?>? settings = null)
    {
        DataDirectory = Directory.CreateTempSubdirectory("monitor-web-test-").FullName;
        _settings = settings ?? new Dictionary<string, string?>();
        if (kestrel) UseKestrel();
    }

    public string DataDirectory { get; }

    public string StoreSpec => $"sqlite:{Path.Combine(DataDirectory, "monitor.db")}";

    /// <summary>The address Kestrel listens on (kestrel mode, after the server started).</summary>
    public string BaseUrl
    {
        get
        {
            StartServer();
            var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            return addresses.First().TrimEnd('/');
        }
    }

    public IMonitorStore Store => Services.GetRequiredService<IMonitorStore>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("urls", "http://127.0.0.1:0");
        builder.UseSetting("Probe:Store", StoreSpec);
        builder.UseSetting("Sessions:Store", $"duckdb:{Path.Combine(DataDirectory, "sessions.duckdb")}");
        builder.UseSetting("Probe:Enabled", "false");
        builder.UseSetting("Probe:Name", "test-probe");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold the file for a moment on a slow machine; the temp folder is cleaned later.
        }
    }
}
