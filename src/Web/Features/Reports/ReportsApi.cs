using Monitor.Storage.Model.Reports;
using Monitor.Storage.Model.Snapshots;
using Monitor.Web.Common;
using Monitor.Web.Features.Reports;

namespace Monitor.Web.Features.Reports;

public sealed record ReportResponse(
    string Report, string Title, string Span, DateTimeOffset From, DateTimeOffset To,
    DateTimeOffset? Previous, DateTimeOffset? Next, IReadOnlyList<ReportRow> Rows);

public sealed record ReportDescription(string Name, string Title, IReadOnlyList<string> KeyFields, IReadOnlyList<string> HostFields, string DefaultSort);

public static class ReportsApi
{
    public static RouteGroupBuilder MapReportsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/reports").WithTags("Reports").WithBadRequestMessages();
        api.MapGet("/", GetReportAsync)
            .WithSummary("One top-N report for the interval holding 'at' (default: the latest), an hour or day (span), or a range (from/to)");
        api.MapGet("/catalog", () => ReportCatalog.All
                .Select(r => new ReportDescription(r.Name, r.Title, r.KeyFields, r.HostFields, r.DefaultSort)).ToList())
            .WithSummary("Every report name with its key and address fields");
        return api;
    }

    /// <param name="report">Report name (talkers, flows, syn, udp, ...); default talkers.</param>
    /// <param name="at">A time inside the wanted interval (ISO 8601 or Unix seconds).</param>
    /// <param name="from">Range start, for a summary over a custom range.</param>
    /// <param name="to">Range end.</param>
    /// <param name="span">interval (default), hour, day or range.</param>
    /// <param name="probe">One probe's name; default all.</param>
    /// <param name="n">Rows, 1..1000 (default 50).</param>
    /// <param name="sort">Column to rank by (default the report's own order).</param>
    internal static async Task<ReportResponse> GetReportAsync(string? report, string? at, string? from, string? to, string? span,
        string? probe, string? n, string? sort, ReportService reports, CancellationToken cancellationToken)
    {
        var rows = ApiErrors.OptionalInt(n, "n", 1, ReportService.MaxRows);
        var view = await reports.GetAsync(new ReportRequest(report ?? ReportCatalog.Talkers, at, from, to, span, probe, rows, sort),
            cancellationToken);
        return new ReportResponse(view.Report.Name, view.Report.Title, view.Span.ToString().ToLowerInvariant(),
            view.Range.From, view.Range.To, view.Previous, view.Next, view.Rows);
    }
}
