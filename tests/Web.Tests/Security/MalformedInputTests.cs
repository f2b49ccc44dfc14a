using System.Net;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Web.Tests.Support;

namespace Monitor.Web.Tests.Security;

/// <summary>
/// Walks every route the site maps (pages and APIs, read from its endpoint table so a new route is
/// walked too) with malformed values in every route parameter and common query parameter.
/// </summary>
public sealed class MalformedInputTests : IClassFixture<MalformedInputTests.Site>
{
    public sealed class Site : IDisposable
    {
        public MonitorSite Host { get; } = new();
        public void Dispose() => Host.Dispose();
    }

    private static readonly string[] BadValues =
    [
        "", "nope", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "2026-13-45", "-1", "999999999999999999999",
        "999.1.1.1", "..%2F..%2Fetc%2Fpasswd", "1e308", "NaN", "%E2%80%AE%01",
    ];

    private static readonly string[] BadQueries =
    [
        "from=yesterday&to=tomorrow",
        "from=2026-11-21T00:00:00Z&to=2026-11-20T00:00:00Z",
        "from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z",
        "at=%3Cscript%3E&n=-5&points=0&sort=%27%3B--&span=forever&probe=%3Cb%3E",
        "n=99999999999&points=1e9&metric=..%2F..&report=%00",
    ];

    private readonly MonitorSite _site;

    public MalformedInputTests(Site fixture) => _site = fixture.Host;

    public static IEnumerable<object[]> Methods => [["GET"], ["POST"]];

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task No_route_answers_malformed_values_with_a_server_error_or_a_stack_trace(string method)
    {
        var client = _site.CreateClient(new() { AllowAutoRedirect = false });
        var patterns = _site.Services.GetServices<EndpointDataSource>()
            .SelectMany(source => source.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains(method) ?? method == "GET")
            .Select(e => e.RoutePattern)
            .Where(p => !p.RawText!.Contains("_blazor", StringComparison.Ordinal) && !p.RawText.Contains("_framework", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(patterns);

        var failures = new List<string>();
        var walked = 0;
        foreach (var pattern in patterns)
        {
            foreach (var url in Urls(pattern))
            {
                walked++;
                using var request = new HttpRequestMessage(new HttpMethod(method), url);
                if (method == "POST") request.Content = new FormUrlEncodedContent([new("User", "<script>"), new("Password", "x")]);
                using var response = await client.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                if ((int)response.StatusCode >= 500 || body.Contains("   at Monitor.", StringComparison.Ordinal) ||
                    body.Contains("<script>alert(1)</script>", StringComparison.Ordinal))
                    failures.Add($"{method} {url} -> {(int)response.StatusCode}");
            }
        }
        Assert.True(walked > patterns.Count, "every route is walked with several values");
        Assert.Empty(failures);
    }

    private static IEnumerable<string> Urls(Microsoft.AspNetCore.Routing.Patterns.RoutePattern pattern)
    {
        var raw = "/" + pattern.RawText!.TrimStart('/');
        var names = pattern.Parameters.Select(p => p.Name).ToList();
        foreach (var value in BadValues)
        {
            var path = raw;
            foreach (var parameter in pattern.Parameters)
            {
                var token = path[path.IndexOf('{')..(path.IndexOf('}') + 1)];
                path = path.Replace(token, value.Length == 0 && !parameter.IsOptional ? "x" : value, StringComparison.Ordinal);
            }
            foreach (var query in BadQueries) yield return $"{path}?{query}";
            if (names.Count == 0) yield break;
        }
    }
}
