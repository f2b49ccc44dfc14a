using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Monitor.Probe.Hosting;
using Monitor.Storage;
using Monitor.Web.Features.Alerts;
using Monitor.Web.Features.Hosts;
using Monitor.Web.Features.Probes;
using Monitor.Web.Features.Sessions;
using Monitor.Web.Common;
using Monitor.Web.Components;
using Monitor.Web.Live;
using Monitor.Web.Features.Reports;
using Monitor.Web.Security;
using Monitor.Web.Features.Series;
using Prometheus;

namespace Monitor.Web;

public static class Extensions
{
    /// <summary>
    /// The site's services: Blazor (interactive server), the store the pages read (Probe:Store), and
    /// either the in-process probe (default) or, with Probe:Enabled=false, a live view read from the store.
    /// The pages and the in-process probe share that one store, opened with the Storage settings.
    /// </summary>
    public static WebApplicationBuilder AddMonitorWeb(this WebApplicationBuilder builder)
    {
        // The web root is the repository's top-level wwwroot, so Blazor's own files (_framework/...) are
        // found through the static web assets manifest of the build, in every environment.
        builder.WebHost.UseStaticWebAssets();
        // Not the development reloader that a build's manifest turns on: it logs a warning for every request
        // of a wwwroot file outside the manifest (all of ours); UseStaticFiles serves those quietly.
        builder.Configuration["ReloadStaticAssetsAtRuntime"] ??= "false";
        var services = builder.Services;
        var probe = builder.Configuration.GetSection(ProbeOptions.Section);
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddOpenApi();
        services.AddProblemDetails();
        services.TryAddSingleton(TimeProvider.System);

        var spec = probe["Store"] is { Length: > 0 } configured && !configured.Equals("none", StringComparison.OrdinalIgnoreCase)
            ? configured
            : StoreFactory.DefaultSpec;
        services.AddMonitorStore(builder.Configuration, spec);

        if (probe.GetValue("Enabled", true))
        {
            services.AddProbe(builder.Configuration);
            services.AddSingleton<ILiveMonitor, ProbeLiveMonitor>();
        }
        else
        {
            services.AddSingleton<StoreLiveMonitor>();
            services.AddSingleton<ILiveMonitor>(sp => sp.GetRequiredService<StoreLiveMonitor>());
            services.AddHostedService(sp => sp.GetRequiredService<StoreLiveMonitor>());
        }

        services.AddSeries();
        services.AddReports();
        services.AddHosts();
        services.AddProbes();
        services.AddSingleton<Features.Events.EventLogService>();
        services.AddAlerts(builder.Configuration, Directory.GetCurrentDirectory());
        services.AddSessions(builder.Configuration);
        return builder;
    }

    public static WebApplication UseMonitorWeb(this WebApplication app)
    {
        // Every section's settings, all problems at once, before the pipeline and endpoints below build the
        // services that read them (the host would check them again at start, but only after that).
        app.Services.GetRequiredService<IStartupValidator>().Validate();
        if (!app.Environment.IsDevelopment()) app.UseExceptionHandler("/error", createScopeForErrors: true);
        app.UseStatusCodePages();
        app.UseStaticFiles();
        app.UseMonitorSecurity();
        app.UseAntiforgery();
        return app;
    }

    public static WebApplication MapMonitorEndpoints(this WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Text("ok")).AllowAnonymous().ExcludeFromDescription();
        app.MapOpenApi();
        app.MapLoginApi();
        app.MapSeriesApi();
        app.MapReportsApi();
        app.MapHostsApi();
        app.MapProbesApi();
        app.MapAlertsApi();
        app.MapSessionsApi();
        app.MapMetrics("/metrics", app.Services.GetRequiredService<ProbeMetricsExporter>().Registry);
        app.MapStaticAssets();
        // The site's own policy (SecurityHeaders) already says frame-ancestors 'none': no second CSP header from Blazor.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);
        return app;
    }
}
