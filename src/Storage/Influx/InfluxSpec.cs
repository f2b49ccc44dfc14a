namespace Monitor.Storage.Influx;

/// <summary>Where an InfluxDB lives: parsed from <c>influx://[USER:PASSWORD@]HOST:PORT/DATABASE</c>.</summary>
public sealed record InfluxSpec(Uri BaseAddress, string Database, string? User, string? Password)
{
    public static InfluxSpec Parse(string spec)
    {
        const string usage = "use influx://[USER:PASSWORD@]HOST:PORT/DATABASE";
        if (!Uri.TryCreate(spec, UriKind.Absolute, out var uri) || !uri.Scheme.Equals("influx", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"store spec '{Redact(spec)}' is not a valid InfluxDB address; {usage}");
        if (string.IsNullOrEmpty(uri.Host)) throw new ArgumentException($"store spec '{Redact(spec)}' has no host; {usage}");
        if (uri.IsDefaultPort || uri.Port <= 0) throw new ArgumentException($"store spec '{Redact(spec)}' has no port (InfluxDB's is usually 8086); {usage}");
        var database = Uri.UnescapeDataString(uri.AbsolutePath.Trim('/'));
        if (database.Length == 0 || database.Contains('/') || database.Contains('"'))
            throw new ArgumentException($"store spec '{Redact(spec)}' needs one database name without '/' or '\"'; {usage}");
        string? user = null, password = null;
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            user = Uri.UnescapeDataString(parts[0]);
            password = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "";
        }
        var host = uri.HostNameType == UriHostNameType.IPv6 ? $"[{uri.IdnHost.Trim('[', ']')}]" : uri.IdnHost;
        return new InfluxSpec(new Uri($"http://{host}:{uri.Port}/"), database, user, password);
    }

    /// <summary>The spec without its password, for messages and logs.</summary>
    public override string ToString() =>
        $"influx://{(User is null ? "" : User + ":***@")}{BaseAddress.Authority}/{Database}";

    private static string Redact(string spec)
    {
        var at = spec.IndexOf('@', StringComparison.Ordinal);
        var scheme = spec.IndexOf("://", StringComparison.Ordinal);
        return at > 0 && scheme >= 0 && at > scheme ? spec[..(scheme + 3)] + "***" + spec[at..] : spec;
    }
}
