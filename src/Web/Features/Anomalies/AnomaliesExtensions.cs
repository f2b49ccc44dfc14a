using Microsoft.Extensions.Options;
using Monitor.Storage;
using Monitor.Web.Features.Anomalies.Detection;
using Monitor.Storage.Model;
using Monitor.Web.Common;

namespace Monitor.Web.Features.Anomalies;

/// <summary>Registers spike detection for the site: options, detectors, the watcher and the day/drill-down views.</summary>
public static class AnomaliesExtensions
{
    /// <summary>Binds <c>Anomalies</c> (validated at start) and adds the detectors, the hosted watcher and the views.</summary>
    public static IServiceCollection AddAnomalies(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AnomalyOptions>()
            .Bind(configuration.GetSection(AnomalyOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<AnomalyOptions>>(new ProblemsValidator<AnomalyOptions>(o => o.Problems()));
        services.AddSingleton(sp => new SpikeDetector(sp.GetRequiredService<IMonitorStore>(), sp.GetRequiredService<IOptions<AnomalyOptions>>().Value));
        services.AddSingleton(sp => new IncrementalSpikeDetector(
            sp.GetRequiredService<IMonitorStore>(),
            sp.GetRequiredService<IOptions<AnomalyOptions>>().Value,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<IncrementalSpikeDetector>()));
        services.AddHostedService<SpikeWatcher>();
        services.AddSingleton<DayViewService>();
        services.AddSingleton<SpikeDrillDownService>();
        return services;
    }

    /// <summary>
    /// <c>POST /api/days/{yyyy-MM-dd}/recompute[?probe=]</c>, <c>GET /api/days/{yyyy-MM-dd}/spikes[?probe=]</c>
    /// and <c>GET /api/spikes/{id}[?sort=packets|bytes|load|rate]</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapAnomaliesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api").WithTags("Anomalies").WithBadRequestMessages();

        group.MapPost("/days/{day}/recompute", async (string day, string? probe, SpikeDetector detector, CancellationToken ct) =>
            {
                var date = DayViewService.ParseDay(day);
                var spikes = await detector.RecomputeDayAsync(date, string.IsNullOrEmpty(probe) ? null : probe, ct);
                return Results.Ok(new DaySpikes(DayViewService.FormatDay(date), probe, spikes.Select(SpikeDto.From).ToList()));
            })
            .WithSummary("Recomputes a stored day's spikes and writes them as events (same Ids, so nothing is duplicated).");

        group.MapGet("/days/{day}/spikes", async (string day, string? probe, DayViewService days, CancellationToken ct) =>
            {
                var view = await days.GetAsync(DayViewService.ParseDay(day), probe, ct);
                return Results.Ok(new DaySpikes(DayViewService.FormatDay(view.Day), view.Probe, view.Spikes.Select(SpikeDto.From).ToList())
                {
                    NewSpikeDays = view.NewSpikeDays.Select(DayViewService.FormatDay).ToList(),
                });
            })
            .WithSummary("The spikes of one day for one probe (the first probe when none is named).");

        group.MapGet("/spikes/{id}", async (string id, string? sort, SpikeDrillDownService drill, CancellationToken ct) =>
            {
                var view = await drill.GetAsync(id, sort, ct);
                return view is null ? Results.NotFound() : Results.Ok(SpikeDrillDownDto.Of(view));
            })
            .WithSummary("A spike's drill-down: the window's flows and top talkers, ports and scanners against the hour before.");
        return app;
    }
}
