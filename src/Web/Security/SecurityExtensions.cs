using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Monitor.Web.Security;

public static class SecurityExtensions
{
    private const string SelectScheme = "Monitor";

    /// <summary>
    /// Binds and validates "Auth", refuses a non-loopback listen address without it, and, when users or
    /// API keys are configured, requires a login cookie or an API key everywhere but /healthz and /login.
    /// </summary>
    public static WebApplicationBuilder AddMonitorSecurity(this WebApplicationBuilder builder)
    {
        var auth = builder.Configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        Validate(auth);
        var refusal = ListenAddressGuard.Check(ListenAddressGuard.ConfiguredUrls(builder.Configuration), auth);
        if (refusal is not null) throw new StartupRefusedException(refusal);
        builder.WebHost.UseUrls([.. ListenAddressGuard.ConfiguredUrls(builder.Configuration)]);

        var services = builder.Services;
        services.AddSingleton(auth);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<Credentials>();
        services.AddSingleton<LoginThrottle>();
        services.AddAntiforgery();

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
            if (auth.IsConfigured)
                o.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
        });
        services.AddCascadingAuthenticationState();
        return builder;
    }

    public static WebApplication UseMonitorSecurity(this WebApplication app)
    {
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

    private static void Validate(AuthOptions auth)
    {
        var errors = new List<string>();
        for (var i = 0; i < auth.Users.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(auth.Users[i].Name)) errors.Add($"Auth:Users:{i}:Name is empty");
            if (string.IsNullOrWhiteSpace(auth.Users[i].PasswordHash))
                errors.Add($"Auth:Users:{i}:PasswordHash is empty (make one with 'monitor-web user add NAME')");
        }
        for (var i = 0; i < auth.ApiKeys.Count; i++)
            if (!System.Text.RegularExpressions.Regex.IsMatch(auth.ApiKeys[i].Hash ?? "", "^[0-9a-f]{64}$"))
                errors.Add($"Auth:ApiKeys:{i}:Hash must be 64 lower-case hex characters (make one with 'monitor-web apikey create NAME')");
        if (auth.MaxFailedAttempts is < 1 or > 100) errors.Add("Auth:MaxFailedAttempts must be between 1 and 100");
        if (auth.LockoutMinutes is < 1 or > 1440) errors.Add("Auth:LockoutMinutes must be between 1 and 1440");
        if (errors.Count > 0) throw new OptionsValidationException(AuthOptions.Section, typeof(AuthOptions), errors);
    }
}

/// <summary>The site will not start as configured; the message is the one line to show the user.</summary>
public sealed class StartupRefusedException(string message) : Exception(message);
