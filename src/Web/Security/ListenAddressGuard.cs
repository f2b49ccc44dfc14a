using System.Net;

namespace Monitor.Web.Security;

/// <summary>An address the site listens on and whether Kestrel has a certificate for it (its own or Kestrel:Certificates:Default).</summary>
public sealed record ListenEndpoint(string Url, bool HasCertificate)
{
    public bool IsHttps => Url.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    public bool IsLoopback => ListenAddressGuard.IsLoopback(Url);
}

/// <summary>
/// The site shows who talks to whom on a network, so beyond loopback it listens only with authentication
/// and only over TLS: HTTPS with a certificate from configuration, or plain HTTP behind a TLS proxy the
/// configuration names (TlsProxy:Addresses). Checked before the server starts.
/// </summary>
public static class ListenAddressGuard
{
    public const string DefaultUrl = "http://127.0.0.1:5080";
    public const string ProxySection = "TlsProxy";

    /// <summary>Returns the one-line refusal, or null when every address is allowed.</summary>
    public static string? Check(IReadOnlyList<ListenEndpoint> endpoints, bool authenticated, IReadOnlyList<IPAddress> tlsProxies)
    {
        var open = endpoints.FirstOrDefault(e => !e.IsLoopback);
        if (open is null) return null;
        if (!authenticated)
            return $"Refusing to listen on {open.Url} without authentication: add a user with 'monitor-web user add NAME' " +
                "(configuration section Auth:Users) or listen on 127.0.0.1 only (--urls http://127.0.0.1:5080).";
        var bare = endpoints.FirstOrDefault(e => !e.IsLoopback && e.IsHttps && !e.HasCertificate);
        if (bare is not null)
            return $"Refusing to listen on {bare.Url} without a certificate: set Kestrel:Certificates:Default:Path and " +
                "Kestrel:Certificates:Default:KeyPath to PEM files (README, \"TLS off loopback\").";
        var clear = endpoints.FirstOrDefault(e => !e.IsLoopback && !e.IsHttps);
        if (clear is not null && tlsProxies.Count == 0)
            return $"Refusing to listen on {clear.Url} over plain HTTP: passwords and session cookies would cross the network in clear; " +
                "listen on https:// with Kestrel:Certificates:Default:Path and KeyPath, or name the TLS proxy in front in " +
                "TlsProxy:Addresses, or listen on 127.0.0.1 only (README, \"TLS off loopback\").";
        return null;
    }

    /// <summary>
    /// Every address the configuration asks Kestrel to listen on (urls, ASPNETCORE_URLS, Kestrel:Endpoints),
    /// each with whether a certificate is configured for it.
    /// </summary>
    public static IReadOnlyList<ListenEndpoint> ConfiguredEndpoints(IConfiguration configuration)
    {
        var defaultCertificate = HasCertificate(configuration.GetSection("Kestrel:Certificates:Default"));
        var endpoints = ConfiguredUrls(configuration).Select(url => new ListenEndpoint(url, defaultCertificate)).ToList();
        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
            if (endpoint["Url"] is { } url)
                endpoints.Add(new ListenEndpoint(url, defaultCertificate || HasCertificate(endpoint.GetSection("Certificate"))));
        return endpoints;
    }

    /// <summary>The addresses given with urls (or ASPNETCORE_URLS / --urls); the default is loopback.</summary>
    public static IReadOnlyList<string> ConfiguredUrls(IConfiguration configuration) =>
        (configuration["urls"] ?? DefaultUrl).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>TlsProxy:Addresses, the proxies whose X-Forwarded-For/-Proto the site believes; a bad entry refuses the start.</summary>
    public static IReadOnlyList<IPAddress> TlsProxies(IConfiguration configuration)
    {
        var proxies = new List<IPAddress>();
        foreach (var entry in configuration.GetSection($"{ProxySection}:Addresses").GetChildren())
        {
            if (!IPAddress.TryParse(entry.Value?.Trim(), out var address))
                throw new StartupRefusedException($"{ProxySection}:Addresses:{entry.Key}: '{entry.Value}' is not an IP address (the TLS proxy's address as the site sees it)");
            proxies.Add(address);
        }
        return proxies;
    }

    public static bool IsLoopback(string url)
    {
        var host = HostOf(url);
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
    }

    private static bool HasCertificate(IConfigurationSection certificate) =>
        !string.IsNullOrWhiteSpace(certificate["Path"]) || !string.IsNullOrWhiteSpace(certificate["Subject"]);

    private static string HostOf(string url)
    {
        var rest = url.Contains("://", StringComparison.Ordinal) ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
        var end = rest.IndexOf('/');
        if (end >= 0) rest = rest[..end];
        if (rest.StartsWith('['))
        {
            var close = rest.IndexOf(']');
            return close > 0 ? rest[..(close + 1)] : rest;
        }
        var colon = rest.LastIndexOf(':');
        return colon >= 0 ? rest[..colon] : rest;
    }
}
