using System.Net;
using Microsoft.Extensions.Options;
using Monitor.Probe.Hosting;
using Monitor.Storage.Sessions;
using Monitor.Web.Common;

namespace Monitor.Web.Features.Sessions;

public static class SessionsExtensions
{
    /// <summary>
    /// The session store the pages search (section <c>Sessions</c>: Store, MaxAgeDays, MaxBytes; validated
    /// at start) and the home network the saved searches split LAN from WAN by (Probe:HomeNet).
    /// </summary>
    public static IServiceCollection AddSessions(this IServiceCollection services, IConfiguration configuration)
    {
        var probeStore = ProbeSessionStore(configuration);
        services.AddOptions<SessionStoreOptions>().Bind(configuration.GetSection(SessionStoreOptions.Section))
            .PostConfigure(o =>
            {
                if (string.IsNullOrWhiteSpace(configuration[$"{SessionStoreOptions.Section}:Store"]))
                    o.Store = probeStore ?? new SessionStoreOptions().Store;
            })
            .Validate(o => !o.Validate().Any(), "Sessions: " + "invalid settings (Store, MaxAgeDays, MaxBytes)")
            .ValidateOnStart();
        var homeNet = (configuration.GetSection("Probe:HomeNet").Get<string[]>() ?? [])
            .Select(c => IPNetwork.TryParse(c, out var n) ? n : throw new ArgumentException($"Probe:HomeNet: '{c}' is not a CIDR")).ToList();
        services.AddSingleton<ISessionStore>(sp => SessionStores.Open(sp.GetRequiredService<IOptions<SessionStoreOptions>>().Value)
            ?? throw new ArgumentException("Sessions:Store is none: the site needs a session store to search"));
        services.AddSingleton(sp => new SessionService(sp.GetRequiredService<ISessionStore>(), homeNet, sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>
    /// Where the site's probe writes its sessions (Probe:SessionStore, else sessions.duckdb next to the SQLite file of
    /// Probe:Store), the store searched when Sessions:Store is not set: with Probe:Store moved, the pages would
    /// otherwise search an empty data/sessions.duckdb while the probe filled another file. Null when that probe
    /// keeps none (sessions off, another series store).
    /// </summary>
    private static string? ProbeSessionStore(IConfiguration configuration)
    {
        var probe = configuration.GetSection(ProbeOptions.Section);
        var options = new ProbeOptions { SessionStore = probe["SessionStore"], Store = probe["Store"] ?? new ProbeOptions().Store };
        options.SessionTable.Enabled = !bool.TryParse(probe["SessionTable:Enabled"], out var enabled) || enabled;
        var spec = options.EffectiveSessionStore;
        return spec.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : spec;
    }
}

/// <summary>URLs of the sessions page, so report rows, host pages and drill-downs link the same way.</summary>
public static class SessionLinks
{
    public static string For(string? filter, DateTimeOffset from, DateTimeOffset to, string? probe = null, string? sort = null, bool descending = false) =>
        Links.With("sessions", ("q", filter), ("from", TimeRange.Format(from)), ("to", TimeRange.Format(to)),
            ("probe", probe), ("sort", sort), ("dir", descending ? "desc" : null));

    public static string Host(string ip, DateTimeOffset from, DateTimeOffset to, string? probe = null) =>
        For($"host {ip}", from, to, probe);
}
