using System.Globalization;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Monitor.Probe.Capture;
using Monitor.Probe.Recording;
using Monitor.Storage;
using Monitor.Web.Common;

namespace Monitor.Web.Features.Packets;

/// <summary>
/// <c>GET /api/pcap?from=&amp;to=&amp;filter=BPF&amp;probe=</c>: the recorded packets of a time range that match a
/// BPF expression, streamed as one pcap attachment. Always behind a login or API key, since packets carry
/// payloads; every download is logged with the user, the filter and its size. A probe that records on another
/// machine (<c>Packets:Remote:NAME</c>) is answered by its own site, through <see cref="RemotePcap"/>.
/// </summary>
public static class PacketsApi
{
    public const string PcapContentType = "application/vnd.tcpdump.pcap";

    /// <summary>
    /// Binds <see cref="PacketsOptions"/>, with the site's own probe's recording as default, and validates it at
    /// start naming every bad setting.
    /// </summary>
    public static IServiceCollection AddPackets(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<RemotePcap>();
        services.AddSingleton<IValidateOptions<PacketsOptions>>(new ProblemsValidator<PacketsOptions>(o => o.Validate()));
        services.AddOptions<PacketsOptions>()
            .Bind(configuration.GetSection(PacketsOptions.Section))
            .PostConfigure(o =>
            {
                var probe = configuration.GetSection("Probe");
                if (probe["Record"] is { Length: > 0 } record && (probe["Name"] ?? Environment.MachineName) is var name)
                    o.Recordings.TryAdd(name, record);
            })
            .ValidateOnStart();
        return services;
    }

    public static IEndpointRouteBuilder MapPacketsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api").WithTags("Packets").RequireAuthorization();
        group.MapGet("/pcap", GetPcap)
            .WithSummary("The recorded packets of [from, to) that match a BPF filter, as a pcap attachment (capped by Packets:MaxBytes and Packets:MaxPackets).");
        return app;
    }

    private static async Task<IResult> GetPcap(
        string? from, string? to, string? filter, string? probe, HttpContext context,
        IOptions<PacketsOptions> settings, RemotePcap remotes, TimeProvider time, ILoggerFactory loggers)
    {
        var options = settings.Value;
        var logger = loggers.CreateLogger(typeof(PacketsApi).FullName!);
        var query = context.Request.QueryString;
        if (string.IsNullOrEmpty(probe))
        {
            var names = options.Recordings.Keys.Concat(options.Remote.Keys).Order(StringComparer.Ordinal).ToList();
            if (names.Count != 1)
                return names.Count == 0
                    ? TypedResults.Problem("no probe records packets here (set Probe:Record, Packets:Recordings or Packets:Remote)", statusCode: 404)
                    : BadRequest($"'probe' is required: recordings exist for {string.Join(", ", names)}");
            probe = names[0];
            // The probe's site may hold several recordings: the forwarded query names the one meant.
            query = new QueryBuilder(context.Request.Query.Where(q => q.Key != "probe")) { { "probe", probe } }.ToQueryString();
        }
        // The probe's own site checks the range and the filter against its own recording and settings.
        if (options.Remote.TryGetValue(probe, out var remote))
            return await remotes.ForwardAsync(probe, remote, query, context, logger);
        if (!options.Recordings.TryGetValue(probe, out var directory))
            return TypedResults.Problem($"probe '{TimeRange.Shorten(probe)}' has no recording here", statusCode: 404);

        if (!TimeRange.TryParse(from, to, time.GetUtcNow(), TimeSpan.FromMinutes(5), options.MaxRange, out var range, out var error))
            return BadRequest(error!);
        if (range.From == range.To) return BadRequest($"the range from {TimeRange.Format(range.From)} to {TimeRange.Format(range.To)} is empty");
        if (filter is { Length: > 4096 }) return BadRequest("'filter' is longer than 4096 characters");

        try
        {
            RecordingReader.CheckFilter(directory, range.From, range.To, filter);
        }
        catch (CaptureFilterException e)
        {
            return BadRequest(e.Message);
        }

        var user = context.User.Identity?.Name ?? "?";
        var name = $"{Safe(probe)}-{Stamp(range.From)}-{Stamp(range.To)}.pcap";
        return TypedResults.Stream(async body =>
        {
            var result = await RecordingReader.ExtractAsync(directory, range.From, range.To, filter, options.MaxPackets, options.MaxBytes,
                body, context.RequestAborted);
            logger.LogInformation(
                "Packets download by {User}: probe {Probe} {From} to {To}, filter '{Filter}': {Packets} packets, {Bytes} bytes{Capped}",
                user, probe, TimeRange.Format(range.From), TimeRange.Format(range.To), filter ?? "", result.Packets, result.Bytes,
                result.Truncated ? " (cut at the download cap)" : "");
        }, PcapContentType, name);
    }

    private static ProblemHttpResult BadRequest(string message) =>
        TypedResults.Problem(detail: message, statusCode: StatusCodes.Status400BadRequest, title: "Bad request");

    private static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    private static string Safe(string text) => string.Concat(text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
}
