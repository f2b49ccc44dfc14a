using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Monitor.Storage.Model;

namespace Monitor.Storage.Influx;

/// <summary>One series of an InfluxQL answer; values are long (integers, times), double, string, bool or null.</summary>
public sealed record InfluxSeries(string Name, IReadOnlyDictionary<string, string> Tags, IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows)
{
    public int Column(string name)
    {
        for (var i = 0; i < Columns.Count; i++) if (Columns[i] == name) return i;
        return -1;
    }
}

/// <summary>A piece of one statement's answer as a chunked /query streams it; a series may continue in later chunks.</summary>
public readonly record struct InfluxChunk(int Statement, InfluxSeries Series);

/// <summary>
/// InfluxDB's v1 HTTP API (served by 1.x, by 2.x's v1 compatibility and by 3.x): gzip'd line protocol on
/// /write, InfluxQL on /query (POST, epoch=ms, always chunked=true: the answer streams as newline-separated JSON
/// documents of at most chunk-size rows, so no answer is held whole as text and the server's row limit never cuts one). Unreachable server, 5xx, auth failures → StoreWriteException
/// (retry later); a malformed write → ArgumentException (retrying cannot help); points older than a retention
/// policy are dropped by InfluxDB by design and not an error here.
/// </summary>
public sealed class InfluxClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly InfluxSpec _spec;
    private readonly int _chunkSize;
    private readonly TimeSpan _timeout;

    public InfluxClient(InfluxSpec spec, TimeSpan timeout, int chunkSize = 1000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        _spec = spec;
        _chunkSize = chunkSize;
        _timeout = timeout;
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AutomaticDecompression = DecompressionMethods.GZip })
        {
            BaseAddress = spec.BaseAddress,
            Timeout = timeout,
        };
        if (spec.User is not null)
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{spec.User}:{spec.Password}")));
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await _http.GetAsync("ping", cancellationToken);
            return response.StatusCode == HttpStatusCode.NoContent;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public async Task WriteAsync(string retentionPolicy, string lines, CancellationToken cancellationToken)
    {
        if (lines.Length == 0) return;
        var body = new MemoryStream();
        await using (var gzip = new GZipStream(body, CompressionLevel.Fastest, leaveOpen: true))
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(lines), cancellationToken);
        using var content = new ByteArrayContent(body.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        content.Headers.ContentEncoding.Add("gzip");
        var uri = $"write?db={Uri.EscapeDataString(_spec.Database)}&rp={Uri.EscapeDataString(retentionPolicy)}&precision=ms";
        using var response = await SendAsync(() => _http.PostAsync(uri, content, cancellationToken), "write", cancellationToken);
        if (response.IsSuccessStatusCode) return;
        var error = await response.Content.ReadAsStringAsync(cancellationToken);
        // Monitor's policies keep everything (InfluxStore); one that drops old points on write was changed by hand.
        if (error.Contains("beyond retention policy", StringComparison.Ordinal))
            throw new ArgumentException(
                $"InfluxDB {_spec} dropped points older than retention policy {retentionPolicy} keeps; Monitor prunes by its Storage settings itself: " +
                $"set it back with ALTER RETENTION POLICY \"{retentionPolicy}\" ON \"{_spec.Database}\" DURATION INF ({error.Trim()})");
        throw Failure(response.StatusCode, "write", error);
    }

    /// <summary>Every statement's series, whole (chunks of one series are joined); one list per statement.</summary>
    public async Task<IReadOnlyList<IReadOnlyList<InfluxSeries>>> QueryAsync(string statements, CancellationToken cancellationToken)
    {
        var results = new List<List<InfluxSeries>>();
        await foreach (var (statement, series) in QueryChunksAsync(statements, cancellationToken))
        {
            while (results.Count <= statement) results.Add([]);
            if (series.Columns.Count == 0) continue;
            var list = results[statement];
            if (list.Count > 0 && SameSeries(list[^1], series)) ((List<object?[]>)list[^1].Rows).AddRange(series.Rows);
            else list.Add(series with { Rows = new List<object?[]>(series.Rows) });
        }
        return results;
    }

    /// <summary>
    /// The answer as it streams: one <see cref="InfluxChunk"/> per series piece, in order, plus an empty-named one
    /// for a statement without series (so callers see every statement). Memory stays at one chunk of text.
    /// </summary>
    public async IAsyncEnumerable<InfluxChunk> QueryChunksAsync(string statements,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string>
        {
            ["q"] = statements, ["db"] = _spec.Database, ["epoch"] = "ms",
            ["chunked"] = "true", ["chunk_size"] = _chunkSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        using var response = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "query") { Content = new FormUrlEncodedContent(form) };
            return _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }, "query", cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw Failure(response.StatusCode, "query", await response.Content.ReadAsStringAsync(cancellationToken));
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken), Encoding.UTF8);
        while (true)
        {
            string? line;
            // HttpClient's timeout ends with the headers; each chunk of a streamed answer gets the same time again.
            using var chunkTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            chunkTimeout.CancelAfter(_timeout);
            try
            {
                line = await reader.ReadLineAsync(chunkTimeout.Token);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new StoreWriteException($"InfluxDB {_spec} timed out in the middle of a query answer", e);
            }
            catch (IOException e)
            {
                throw new StoreWriteException($"InfluxDB {_spec} query answer broke off: {e.Message}", e);
            }
            if (line is null) yield break;
            if (line.Length == 0) continue;
            foreach (var chunk in ReadChunk(line, statements)) yield return chunk;
        }
    }

    private List<InfluxChunk> ReadChunk(string line, string statements)
    {
        using var json = JsonDocument.Parse(line);
        if (json.RootElement.TryGetProperty("error", out var topError))
            throw new StoreWriteException($"InfluxDB {_spec} query failed: {topError.GetString()}");
        var chunks = new List<InfluxChunk>();
        foreach (var result in json.RootElement.GetProperty("results").EnumerateArray())
        {
            if (result.TryGetProperty("error", out var error))
                throw new InvalidOperationException($"InfluxDB {_spec} rejected '{Shorten(statements)}': {error.GetString()}");
            var statement = result.TryGetProperty("statement_id", out var id) ? id.GetInt32() : 0;
            if (result.TryGetProperty("series", out var series))
                foreach (var s in series.EnumerateArray()) chunks.Add(new InfluxChunk(statement, ReadSeries(s)));
            else
                chunks.Add(new InfluxChunk(statement, new InfluxSeries("", new Dictionary<string, string>(), [], [])));
        }
        return chunks;
    }

    private static bool SameSeries(InfluxSeries a, InfluxSeries b) =>
        a.Name == b.Name && a.Tags.Count == b.Tags.Count && a.Tags.All(t => b.Tags.TryGetValue(t.Key, out var v) && v == t.Value);

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> SendAsync(Func<Task<HttpResponseMessage>> send, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await send();
        }
        catch (HttpRequestException e)
        {
            throw new StoreWriteException($"InfluxDB {_spec} unreachable ({what}): {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new StoreWriteException($"InfluxDB {_spec} timed out ({what})", e);
        }
    }

    private Exception Failure(HttpStatusCode status, string what, string body)
    {
        var message = $"InfluxDB {_spec} {what} failed with {(int)status} {status}: {Shorten(body)}";
        return (int)status is 400 or 413 && !body.Contains("database not found", StringComparison.Ordinal)
            ? new ArgumentException(message)
            : new StoreWriteException(message);
    }

    private static InfluxSeries ReadSeries(JsonElement series)
    {
        var name = series.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (series.TryGetProperty("tags", out var t))
            foreach (var tag in t.EnumerateObject()) tags[tag.Name] = tag.Value.GetString() ?? "";
        var columns = series.GetProperty("columns").EnumerateArray().Select(c => c.GetString() ?? "").ToList();
        var rows = new List<object?[]>();
        if (series.TryGetProperty("values", out var values))
            foreach (var row in values.EnumerateArray())
                rows.Add(row.EnumerateArray().Select(Value).ToArray());
        return new InfluxSeries(name, tags, columns, rows);
    }

    private static object? Value(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt64(out var l) => l,
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.String => value.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    private static string Shorten(string text) => text.Length <= 300 ? text.Trim() : text[..300] + "...";
}
