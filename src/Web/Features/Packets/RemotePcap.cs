using System.Net;
using Microsoft.Net.Http.Headers;

namespace Monitor.Web.Features.Packets;

/// <summary>
/// The central site's half of a remote probe's download: the query goes unchanged to the probe's own site
/// (<c>Packets:Remote:NAME:Url</c> + <c>/api/pcap</c>, with <c>Packets:Remote:NAME:ApiKey</c>), and its answer
/// comes back unchanged: status, content type, attachment name and body, streamed. The recording never leaves
/// the probe's machine except as the answer to one query. What only this site can get wrong, an unreachable
/// site or a refused key, is a 502 that says so.
/// </summary>
public sealed class RemotePcap : IDisposable
{
    /// <summary>How long the probe's site may take to start its answer (it checks the filter first).</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(60);

    // No overall timeout: a large download streams as long as it takes; the connection and the start of the
    // answer are bounded instead.
    private readonly HttpClient _client = new(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(10),
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
    })
    { Timeout = Timeout.InfiniteTimeSpan };

    public async Task<IResult> ForwardAsync(string probe, RemoteRecording remote, QueryString query, HttpContext context, ILogger logger)
    {
        var target = new Uri(remote.BaseUri!, "api/pcap" + query.ToUriComponent());
        using var request = new HttpRequestMessage(HttpMethod.Get, target);
        request.Headers.Add("X-Api-Key", remote.ApiKey);
        using var answerTimeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        answerTimeout.CancelAfter(AnswerTimeout);
        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, answerTimeout.Token).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            return Unreachable(probe, remote, $"cannot be reached ({e.Message})", logger);
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            return Unreachable(probe, remote, $"did not answer within {AnswerTimeout.TotalSeconds:0} s", logger);
        }
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            response.Dispose();
            return Unreachable(probe, remote,
                $"refused this site's key (Packets:Remote:{probe}:ApiKey) with {(int)response.StatusCode}", logger);
        }
        return new ForwardedAnswer(probe, remote, response, logger);
    }

    public void Dispose() => _client.Dispose();

    private static IResult Unreachable(string probe, RemoteRecording remote, string what, ILogger logger)
    {
        var message = $"the site of probe '{probe}' at {remote.BaseUri} {what}";
        logger.LogWarning("Packets download for remote probe {Probe} failed: {Message}", probe, message);
        return TypedResults.Problem(detail: message, statusCode: StatusCodes.Status502BadGateway, title: "Bad gateway");
    }

    /// <summary>The probe's site's answer, copied to this site's response as it arrives.</summary>
    private sealed class ForwardedAnswer(string probe, RemoteRecording remote, HttpResponseMessage response, ILogger logger) : IResult
    {
        public async Task ExecuteAsync(HttpContext context)
        {
            using var _ = response;
            var user = context.User.Identity?.Name ?? "?";
            var query = context.Request.Query;
            context.Response.StatusCode = (int)response.StatusCode;
            var content = response.Content.Headers;
            if (content.ContentType is { } type) context.Response.ContentType = type.ToString();
            if (content.ContentDisposition is { } disposition) context.Response.Headers[HeaderNames.ContentDisposition] = disposition.ToString();
            if (content.ContentLength is { } length) context.Response.ContentLength = length;
            long bytes = 0;
            try
            {
                await using var body = await response.Content.ReadAsStreamAsync(context.RequestAborted).ConfigureAwait(false);
                var buffer = new byte[81920];
                int read;
                while ((read = await body.ReadAsync(buffer, context.RequestAborted).ConfigureAwait(false)) > 0)
                {
                    await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted).ConfigureAwait(false);
                    bytes += read;
                }
            }
            catch (Exception e) when (e is IOException or HttpRequestException && !context.RequestAborted.IsCancellationRequested)
            {
                // The probe's site went away mid-answer: end the connection rather than hand on a pcap that looks whole.
                logger.LogWarning("Packets download by {User} from remote probe {Probe} broke off after {Bytes} bytes: {Error}",
                    user, probe, bytes, e.Message);
                context.Abort();
                return;
            }
            logger.LogInformation(
                "Packets download by {User}: probe {Probe} from {Site}, {From} to {To}, filter '{Filter}': {Status}, {Bytes} bytes",
                user, probe, remote.BaseUri, query["from"].ToString(), query["to"].ToString(), query["filter"].ToString(),
                (int)response.StatusCode, bytes);
        }
    }
}
