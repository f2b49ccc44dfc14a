using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Monitor.Probe.Hosting;
using Monitor.Storage;
using Monitor.Web.Features.Alerts;

namespace Monitor.Web.Tests.Features.Alerts;

/// <summary>
/// The site's alerting as it runs in monitor-web: the in-process probe replaying a capture into a
/// real SQLite store, the alert services reading that store, and the alert endpoints, on a test server.
/// </summary>
internal sealed class AlertSite : IAsyncDisposable
{
    private AlertSite(WebApplication app, string storeSpec)
    {
        App = app;
        StoreSpec = storeSpec;
    }

    public WebApplication App { get; }
    public string StoreSpec { get; }
    public IServiceProvider Services => App.Services;
    public HttpClient Client() => App.GetTestClient();

    public static async Task<AlertSite> StartAsync(string directory, int smtpPort, string? capture, params (string Key, string Value)[] extra)
    {
        var storeSpec = "sqlite:" + Path.Combine(directory, "monitor.db");
        var settings = new Dictionary<string, string?>
        {
            ["Probe:Store"] = storeSpec,
            ["Probe:Interval"] = "10",
            ["Probe:Workers"] = "1",
            ["Probe:Name"] = "flood-probe",
            ["Alerts:SiteUrl"] = "http://monitor.test:5080",
            ["Alerts:PollSeconds"] = "0.2",
            ["Alerts:RetrySeconds"] = "0.2",
            ["Alerts:MaxRetrySeconds"] = "1",
            ["Alerts:Outbox"] = Path.Combine(directory, "outbox.db"),
            ["Alerts:Evidence:Directory"] = Path.Combine(directory, "evidence"),
            ["Alerts:Evidence:Seconds"] = "2",
            ["Alerts:Smtp:Host"] = "127.0.0.1",
            ["Alerts:Smtp:Port"] = smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Alerts:Rules:0:Type"] = "udp_weight",
            ["Alerts:Rules:0:To:0"] = "soc@example.org",
        };
        foreach (var (key, value) in extra) settings[key] = value;

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = directory, EnvironmentName = "Development" });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(settings);
        if (capture is not null) builder.Configuration.AddInMemoryCollection([new("Probe:Read:0", capture)]);
        if (capture is not null || settings.ContainsKey("Probe:Interface"))
            builder.Services.AddProbe(builder.Configuration);
        builder.Services.AddSingleton(_ => StoreFactory.Open(storeSpec));
        builder.Services.AddAntiforgery();
        builder.Services.AddAlerts(builder.Configuration, directory);
        var app = builder.Build();
        app.UseAntiforgery();
        app.MapAlertsApi();
        // What the site's pages do when they render a form: hand out a token and its cookie.
        app.MapGet("/test/antiforgery", (HttpContext context, IAntiforgery antiforgery) =>
            Results.Text(antiforgery.GetAndStoreTokens(context).RequestToken));
        await app.StartAsync();
        return new AlertSite(app, storeSpec);
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
