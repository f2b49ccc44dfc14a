using Monitor.Storage.Model.Snapshots;
using Monitor.Web.Common;
using Monitor.Web.Features.Reports;

namespace Monitor.Web.Features.Hosts;

public sealed record HostResponse(
    string Ip, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<HostPoint> Traffic,
    IReadOnlyDictionary<string, IReadOnlyList<ReportRow>> Reports);

public static class HostsApi
{
    public static RouteGroupBuilder MapHostsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/hosts").WithTags("Hosts").WithBadRequestMessages();
        api.MapGet("/{ip}", GetHostAsync)
            .WithSummary("One address: bits/s sent and received per interval, and every report row it appears in");
        return api;
    }

    /// <param name="ip">IPv4 or IPv6 address.</param>
    /// <param name="from">Start (default to − 6 hours; with neither bound, the 6 hours up to the host's newest stored row).</param>
    /// <param name="to">End (default now; with neither bound, see from).</param>
    /// <param name="probe">One probe's name; default all.</param>
    internal static async Task<HostResponse> GetHostAsync(string ip, string? from, string? to, string? probe,
        HostService hosts, CancellationToken cancellationToken)
    {
        var view = await hosts.GetAsync(ip, from, to, probe, cancellationToken);
        return new HostResponse(view.Ip, view.Range.From, view.Range.To, view.Traffic, view.Reports);
    }
}
