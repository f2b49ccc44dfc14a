using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Monitor.Web.Security;

public static class SecurityExtensions
{
    private const string SelectScheme = "Monitor";

    /// <summary>
    /// Binds "Auth" (validated at start), refuses to start beyond loopback without authentication and TLS
    /// (<see cref="ListenAddressGuard"/>), and, when users or API keys are configured, requires a login cookie
    /// or an API key everywhere but /healthz and /login. Off loopback the cookies are Secure, forwarded
    /// headers are believed from the named TLS proxy only, and plain-HTTP requests from elsewhere are refused.
    /// </summary>
    public static WebApplicationBuilder AddMonitorSecurity(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(AuthOptions.Section);
        // Whether anyone is configured decides the guard and the fallback policy before the options are built.
        var authenticated = section.GetSection(nameof(AuthOptions.Users)).GetChildren().Any()
            || section.GetSection(nameof(AuthOptions.ApiKeys)).GetChildren().Any();
        var endpoints = ListenAddressGuard.ConfiguredEndpoints(builder.Configuration);
        var proxies = ListenAddressGuard.TlsProxies(builder.Configuration);
        var refusal = ListenAddressGuard.Check(endpoints, authenticated, proxies);
        if (refusal is not null) throw new StartupRefusedException(refusal);
        builder.WebHost.UseUrls([.. ListenAddressGuard.ConfiguredUrls(builder.Configuration)]);
        var transport = new TransportSecurity(endpoints.Any(e => !e.IsLoopback), endpoints.Any(e => e.IsHttps), proxies);
        var cookies = transport.Tls ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;

        var services = builder.Services;
        services.AddOptions<AuthOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<AuthOptions>>().Value);
        services.AddSingleton(transport);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<Credentials>();
        services.AddSingleton<LoginThrottle>();
        services.AddAntiforgery(o => o.Cookie.SecurePolicy = cookies);
        if (proxies.Count > 0)
            services.Configure<ForwardedHeadersOptions>(o =>
            {
                o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
                o.KnownIPNetworks.Clear();
                o.KnownProxies.Clear();
                foreach (var proxy in proxies) o.KnownProxies.Add(proxy);
            });

        services.AddAuthentication(SelectScheme)
            .AddPolicyScheme(SelectScheme, SelectScheme, o => o.ForwardDefaultSelector = context =>
                ApiKeyAuthenticationHandler.HasKey(context.Request)
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.LoginPath = "/login";
                o.Cookie.Name = "monitor.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SecurePolicy = cookies;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.SlidingExpiration = true;
                o.ExpireTimeSpan = TimeSpan.FromHours(12);
                // API clients get a status code, people get the login page.
                o.Events.OnRedirectToLogin = context => Challenge(context, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = context => Challenge(context, StatusCodes.Status403Forbidden);
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);

        services.AddAuthorization(o =>
        {
            if (authenticated)
                o.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
        });
        services.AddCascadingAuthenticationState();
        return builder;
    }

    public static WebApplication UseMonitorSecurity(this WebApplication app)
    {
        var transport = app.Services.GetRequiredService<TransportSecurity>();
        if (transport.TlsProxies.Count > 0) app.UseForwardedHeaders();
        if (transport.OffLoopback) app.Use(RefusePlainHttpFromElsewhere);
        app.UseSecurityHeaders();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    private static Task Challenge(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments("/api") || path.StartsWithSegments("/metrics") || path.StartsWithSegments("/evidence"))
            context.Response.StatusCode = status;
        else
            context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Off loopback a request that is still plain HTTP (not HTTPS, not forwarded as HTTPS by the TLS proxy) and
    /// not from this machine gets 403 instead of a login form or a cookie: it bypassed the TLS in front.
    /// </summary>
    private static Task RefusePlainHttpFromElsewhere(HttpContext context, RequestDelegate next)
    {
        if (!ArrivedInClear(context)) return next(context);
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return context.Response.WriteAsync("This site is served over TLS only: use its https:// address or the TLS proxy in front of it.");
    }

    /// <summary>Plain HTTP from another machine (after the TLS proxy's forwarded headers); /healthz is exempt.</summary>
    internal static bool ArrivedInClear(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        return !context.Request.IsHttps && remote is not null && !System.Net.IPAddress.IsLoopback(remote)
            && !context.Request.Path.StartsWithSegments("/healthz");
    }
}

/// <summary>How the site is reached: off loopback it takes TLS (its own HTTPS or the named proxies).</summary>
public sealed record TransportSecurity(bool OffLoopback, bool Https, IReadOnlyList<System.Net.IPAddress> TlsProxies)
{
    /// <summary>Cookies are Secure: the site is reached over HTTPS (its own or the proxy's).</summary>
    public bool Tls => OffLoopback || Https;
}

/// <summary>The site will not start as configured; the message is the one line to show the user.</summary>
public sealed class StartupRefusedException(string message) : Exception(message);
