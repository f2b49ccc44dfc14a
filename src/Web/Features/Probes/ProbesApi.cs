using Monitor.Storage.Model;
using Monitor.Storage.Model.Snapshots;
using Monitor.Web.Common;
using Monitor.Web.Live;

namespace Monitor.Web.Features.Probes;

public sealed record ProbesResponse(LiveProbeStatus? Live, IReadOnlyList<ProbeStatus> Probes);

public static class ProbesApi
{
    public static RouteGroupBuilder MapProbesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/probes").WithTags("Probes").WithBadRequestMessages();
        api.MapGet("/", async (IMonitorStore store, ILiveMonitor live, CancellationToken cancellationToken) =>
                new ProbesResponse(live.Status, await store.QueryProbesAsync(cancellationToken)))
            .WithSummary("Every probe the store knows (last interval, drops, version) and the in-process probe's counters");
        return api;
    }
}
