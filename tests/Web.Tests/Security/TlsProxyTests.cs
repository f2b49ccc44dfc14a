using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Monitor.Web.Security;
using Monitor.Web.Tests.Support;

namespace Monitor.Web.Tests.Security;

/// <summary>
/// Behind a TLS proxy the configuration names: forwarded headers are believed from that proxy only, and plain
/// HTTP from elsewhere is told to use TLS. Requests are built in memory (addresses as values, no traffic).
/// </summary>
public sealed class TlsProxyTests
{
    private static readonly IPAddress Proxy = IPAddress.Parse("192.0.2.1");

    private static async Task<HttpContext> ThroughForwardedHeaders(ForwardedHeadersOptions options, IPAddress from)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = from;
        context.Request.Scheme = "http";
        context.Request.Headers["X-Forwarded-For"] = "198.51.100.9";
        context.Request.Headers["X-Forwarded-Proto"] = "https";
        var middleware = new ForwardedHeadersMiddleware(_ => Task.CompletedTask, NullLoggerFactory.Instance, Options.Create(options));
        await middleware.Invoke(context);
        return context;
    }

    [Fact]
    public async Task Forwarded_headers_are_believed_from_the_named_proxy_only()
    {
        using var site = new MonitorSite(settings: new Dictionary<string, string?> { ["TlsProxy:Addresses:0"] = Proxy.ToString() });
        var options = site.Services.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value;

        var viaProxy = await ThroughForwardedHeaders(options, Proxy);
        Assert.True(viaProxy.Request.IsHttps);
        Assert.Equal(IPAddress.Parse("198.51.100.9"), viaProxy.Connection.RemoteIpAddress);
        Assert.False(SecurityExtensions.ArrivedInClear(viaProxy));

        var elsewhere = await ThroughForwardedHeaders(options, IPAddress.Parse("203.0.113.5"));
        Assert.False(elsewhere.Request.IsHttps);
        Assert.Equal(IPAddress.Parse("203.0.113.5"), elsewhere.Connection.RemoteIpAddress);
        Assert.True(SecurityExtensions.ArrivedInClear(elsewhere));

        // Not even loopback is believed unless named: only the configured proxy's headers count.
        var local = await ThroughForwardedHeaders(options, IPAddress.Loopback);
        Assert.False(local.Request.IsHttps);
    }

    [Theory]
    [InlineData("http", "203.0.113.5", "/login", true)]
    [InlineData("https", "203.0.113.5", "/login", false)]
    [InlineData("http", "127.0.0.1", "/login", false)]
    [InlineData("http", "::1", "/", false)]
    [InlineData("http", "203.0.113.5", "/healthz", false)]
    public void Plain_http_from_another_machine_is_refused_off_loopback(string scheme, string from, string path, bool refused)
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = scheme;
        context.Request.Path = path;
        context.Connection.RemoteIpAddress = IPAddress.Parse(from);

        Assert.Equal(refused, SecurityExtensions.ArrivedInClear(context));
    }
}
