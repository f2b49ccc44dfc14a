using System.Net;

namespace Monitor.Web.Security;

/// <summary>
/// The site shows who talks to whom on a network, so it may listen beyond loopback only when
/// authentication is configured. Checked before the server starts.
/// </summary>
public static class ListenAddressGuard
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>Returns the one-line refusal, or null when every address is allowed.</summary>
    public static string? Check(IEnumerable<string> urls, AuthOptions auth)
    {
        if (auth.IsConfigured) return null;
        var open = urls.FirstOrDefault(url => !IsLoopback(url));
        return open is null
            ? null
            : $"Refusing to listen on {open} without authentication: add a user with 'monitor-web user add NAME' " +
              "(configuration section Auth:Users) or listen on 127.0.0.1 only (--urls http://127.0.0.1:5080).";
    }

    /// <summary>Every URL the configuration asks Kestrel to listen on (urls, ASPNETCORE_URLS, Kestrel endpoints).</summary>
    public static IReadOnlyList<string> ConfiguredUrls(IConfiguration configuration)
    {
        var urls = (configuration["urls"] ?? DefaultUrl)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToList();
        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
            if (endpoint["Url"] is { } url)
                urls.Add(url);
        return urls;
    }

    private static bool IsLoopback(string url)
    {
        var host = HostOf(url);
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
    }

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
