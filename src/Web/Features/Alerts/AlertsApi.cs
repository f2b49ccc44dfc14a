using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Monitor.Probe.Evidence;
using Monitor.Probe.Hosting;
using Monitor.Storage.Model;
using Monitor.Storage.Sqlite;
using Monitor.Web.Features.Packets;

namespace Monitor.Web.Features.Alerts;

public static class AlertServiceCollectionExtensions
{
    /// <summary>
    /// Registers alerting: settings from the <c>Alerts</c> section (validated when the host starts; a bad
    /// setting stops the start with its key named), the outbox, the delivery and evaluation services and
    /// evidence captures on the in-process probe when there is one. Needs an <see cref="IMonitorStore"/>.
    /// </summary>
    public static IServiceCollection AddAlerts(this IServiceCollection services, IConfiguration configuration, string baseDirectory)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => AlertSettings.Load(configuration.GetSection(AlertOptions.Section), baseDirectory,
            DataDirectory(sp.GetRequiredService<IMonitorStore>())));
        services.AddSingleton(sp => new AlertOutbox(sp.GetRequiredService<AlertSettings>().Options.Outbox));
        services.AddSingleton<SmtpMailSender>();
        services.AddSingleton<AlertMailComposer>();
        services.AddSingleton<AlertActivity>();
        services.AddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<AlertSettings>();
            var feed = sp.GetService<ProbeLiveFeed>();
            var ev = settings.Options.Evidence;
            var store = new EvidenceStore(ev.Directory, ev.MaxBytes);
            var recorder = feed is null ? null : new EvidenceRecorder(store, feed.AttachTap, sp.GetRequiredService<TimeProvider>());
            // Without AddPackets (a site without downloads) the defaults say that no probe records.
            return new AlertEvidence(settings, recorder, store, sp.GetRequiredService<IOptions<PacketsOptions>>().Value,
                sp.GetRequiredService<IMonitorStore>(), sp.GetRequiredService<ILogger<AlertEvidence>>());
        });
        services.AddSingleton<OutboxDeliveryService>();
        services.AddSingleton<AlertEvaluationService>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDeliveryService>());
        services.AddHostedService(sp => sp.GetRequiredService<AlertEvaluationService>());
        return services;
    }

    /// <summary>The folder of the opened SQLite store's file; null for other stores (the defaults under data/ apply).</summary>
    public static string? DataDirectory(IMonitorStore store) => store is SqliteStore sqlite ? Path.GetDirectoryName(sqlite.Path) : null;
}

/// <summary>GET /api/alerts, serialized snake_case: rules, states, last_round, last_error, recent, outbox, evidence.</summary>
public sealed record AlertsResponse(
    IReadOnlyList<AlertRuleDescription> Rules, IReadOnlyList<RuleState> States, DateTimeOffset? LastRound, string? LastError,
    IReadOnlyList<AlertRecord> Recent, OutboxStatus Outbox, IReadOnlyList<EvidenceFile> Evidence);

/// <summary>One rule as /api/alerts lists it (name, kind, condition, severity, k, w, cool_down_seconds, recipients, evidence_filter).</summary>
public sealed record AlertRuleDescription(
    string Name, string Kind, string Condition, string Severity, int K, int W, double CoolDownSeconds,
    IReadOnlyList<string> Recipients, string? EvidenceFilter)
{
    public static AlertRuleDescription From(AlertRule r) => new(
        r.Name, r.Kind.ToString().ToLowerInvariant(), r.Describe(), r.Severity, r.K, r.W, r.CoolDown.TotalSeconds,
        r.Recipients, r.EvidenceFilter);
}

public static class AlertsApi
{
    public const string PcapContentType = "application/vnd.tcpdump.pcap";

    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower,
    };

    /// <summary>GET /api/alerts, POST /alerts/test-mail (form with antiforgery token), GET /evidence/{file}.</summary>
    public static IEndpointRouteBuilder MapAlertsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/alerts", (AlertSettings settings, AlertActivity activity, AlertOutbox outbox, AlertEvidence evidence) =>
                TypedResults.Json(new AlertsResponse(
                    [.. settings.Rules.Select(AlertRuleDescription.From)], activity.States, activity.LastRound, activity.LastError,
                    [.. activity.Recent.Take(50)], outbox.Status(), [.. evidence.Store.List().Take(50)]), Json))
            .WithName("Alerts");

        app.MapPost("/alerts/test-mail", async (HttpContext context, AlertSettings settings, AlertOutbox outbox,
                AlertMailComposer composer, IAntiforgery antiforgery, TimeProvider time) =>
            {
                if (!await antiforgery.IsRequestValidAsync(context))
                    return Results.BadRequest("The form's antiforgery token is missing or invalid; reload the Alerts page and try again.");
                if (!settings.MailConfigured)
                    return Results.BadRequest("No SMTP server is configured (Alerts:Smtp:Host).");
                var form = await context.Request.ReadFormAsync(context.RequestAborted);
                var to = form["to"].ToString().Trim();
                IReadOnlyList<string> recipients;
                if (to.Length > 0)
                {
                    if (to.Length > 254 || !MailboxAddress.TryParse(to, out var address) || !address.Address.Contains('@'))
                        return Results.BadRequest($"'{to}' is not an e-mail address.");
                    recipients = [address.Address];
                }
                else
                {
                    recipients = settings.Options.To.Concat(settings.Rules.SelectMany(r => r.Recipients))
                        .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                    if (recipients.Count == 0) return Results.BadRequest("No recipient: give an address or configure Alerts:To.");
                }
                outbox.Enqueue(composer.Test(recipients, time.GetUtcNow()), time.GetUtcNow());
                return Results.Redirect("/alerts?test=queued");
            })
            .DisableAntiforgery()
            .WithName("SendTestMail");

        app.MapGet("/evidence/{file}", (string file, AlertEvidence evidence) =>
            {
                var path = evidence.Store.Resolve(file);
                return path is null
                    ? Results.NotFound($"No evidence capture named '{file}'.")
                    : Results.File(path, PcapContentType, Path.GetFileName(path));
            })
            .WithName("EvidenceFile");
        return app;
    }
}
