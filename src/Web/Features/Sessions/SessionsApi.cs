using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Monitor.Storage.Sessions;
using Monitor.Web.Common;

namespace Monitor.Web.Features.Sessions;

/// <summary>One session as the API returns it (the JSON Lines field names, plus duration and probe).</summary>
public sealed record SessionDto(
    string Start, string End, double Duration, string Proto, string Src, int Sport, string Dst, int Dport,
    [property: JsonPropertyName("packets_src")] long PacketsSrc, [property: JsonPropertyName("bytes_src")] long BytesSrc,
    [property: JsonPropertyName("packets_dst")] long PacketsDst, [property: JsonPropertyName("bytes_dst")] long BytesDst,
    [property: JsonPropertyName("flags_src")] string? FlagsSrc, [property: JsonPropertyName("flags_dst")] string? FlagsDst, string State,
    [property: JsonPropertyName("icmp_type")] int? IcmpType, [property: JsonPropertyName("icmp_code")] int? IcmpCode, int? Vlan,
    [property: JsonPropertyName("community_id")] string CommunityId, string Probe, int Records)
{
    public static SessionDto From(StoredSession s) => new(
        TimeRange.Format(s.Start), TimeRange.Format(s.End), s.Duration.TotalSeconds, SessionNames.Proto(s.Proto),
        SessionAddress.ToText(s.Src), s.SrcPort, SessionAddress.ToText(s.Dst), s.DstPort,
        s.PacketsSrc, s.BytesSrc, s.PacketsDst, s.BytesDst,
        s.Proto == 6 ? SessionNames.Flags(s.FlagsSrc) : null, s.Proto == 6 ? SessionNames.Flags(s.FlagsDst) : null, s.State.ToString(),
        s.Proto is 1 or 58 ? s.IcmpType : null, s.Proto is 1 or 58 ? s.IcmpCode : null, s.Vlan == 0 ? null : s.Vlan,
        s.CommunityId, s.Probe, s.Records);
}

public sealed record SessionsResponse(string From, string To, string? Q, long Total, int Page, int Size, IReadOnlyList<SessionDto> Sessions);

public static class SessionsApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static RouteGroupBuilder MapSessionsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/sessions").WithTags("Sessions").WithBadRequestMessages();
        api.MapGet("/", SearchAsync)
            .WithSummary("Sessions in a window matching a tcpdump-like filter (q), sorted and paged; format=csv or jsonl exports the whole result");
        api.MapGet("/reports/{name}", ReportAsync)
            .WithSummary("A saved search over a window: wan-to-lan, lan-to-wan, icmp-lan-to-wan, suspect-icmp, top-conversations");
        return api;
    }

    /// <param name="q">Filter, e.g. <c>host 192.0.2.7 and tcp and not port 443</c>, <c>bytes &gt; 1000000</c>, <c>state S0</c>.</param>
    /// <param name="from">Start (default to − 1 hour).</param>
    /// <param name="to">End (default now).</param>
    /// <param name="sort">start, end, duration, packets, bytes, src, dst, sport, dport, proto or state.</param>
    /// <param name="dir">asc or desc.</param>
    /// <param name="page">Page number from 1.</param>
    /// <param name="size">Sessions per page, 1-1000 (default 100).</param>
    /// <param name="format">json (default, one page), csv or jsonl (every matching session).</param>
    internal static async Task<Results<Ok<SessionsResponse>, FileContentHttpResult, PushStreamHttpResult>> SearchAsync(
        string? q, string? from, string? to, string? sort, string? dir, string? page, string? size, string? probe, string? format,
        SessionService sessions, CancellationToken cancellationToken)
    {
        var search = new SessionSearch(q, from, to, sort, dir, page, size, probe);
        switch (format)
        {
            case null or "" or "json":
            {
                var result = await sessions.SearchAsync(search, cancellationToken);
                return TypedResults.Ok(new SessionsResponse(TimeRange.Format(result.Range.From), TimeRange.Format(result.Range.To), q,
                    result.Page.Total, result.PageNumber, result.PageSize, result.Page.Sessions.Select(SessionDto.From).ToList()));
            }
            case "csv" or "jsonl":
            {
                sessions.Parse(search, out _, out _, out _); // bad input is a 400 before the download starts
                var csv = format == "csv";
                return TypedResults.Stream(async stream =>
                {
                    await using var writer = new StreamWriter(stream, new UTF8Encoding(false));
                    if (csv) await writer.WriteLineAsync(SessionService.CsvHeader);
                    await foreach (var s in sessions.AllAsync(search, cancellationToken))
                        await writer.WriteLineAsync(csv ? SessionService.Csv(s) : JsonSerializer.Serialize(SessionDto.From(s), Json));
                }, csv ? "text/csv" : "application/x-ndjson", csv ? "sessions.csv" : "sessions.jsonl");
            }
            default:
                throw new ArgumentException($"'format' = '{format}' must be json, csv or jsonl");
        }
    }

    internal static async Task<Ok<SessionReport>> ReportAsync(string name, string? from, string? to, string? probe, string? limit,
        SessionService sessions, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sessions.ReportAsync(name, from, to, probe, ApiErrors.OptionalInt(limit, "limit", 1, 10_000), cancellationToken));
}
