using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;

namespace Monitor.Web.Security;

/// <summary>The login page (a plain form with an antiforgery token) and logout.</summary>
public static class LoginApi
{
    public static IEndpointRouteBuilder MapLoginApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/login", (HttpContext context, IAntiforgery antiforgery, string? returnUrl, string? error) =>
                LoginPage(antiforgery.GetAndStoreTokens(context), SafeReturnUrl(returnUrl), error))
            .AllowAnonymous()
            .ExcludeFromDescription();

        app.MapPost("/login", async (HttpContext context, [FromForm] LoginForm form, Credentials credentials,
                LoginThrottle throttle, ILogger<LoginForm> logger) =>
            {
                var returnUrl = SafeReturnUrl(form.ReturnUrl);
                var user = form.User?.Trim() ?? "";
                var address = context.Connection.RemoteIpAddress;
                if (throttle.IsLockedOut(user, address))
                {
                    logger.LogWarning("Login refused for locked-out user {User} or address {Address}", user, address);
                    return Results.Redirect($"/login?error=locked&returnUrl={WebUtility.UrlEncode(returnUrl)}");
                }
                if (!credentials.CheckPassword(user, form.Password ?? ""))
                {
                    throttle.RecordFailure(user, address);
                    logger.LogWarning("Failed login for user {User} from {Address}", user, address);
                    return Results.Redirect($"/login?error=failed&returnUrl={WebUtility.UrlEncode(returnUrl)}");
                }
                throttle.RecordSuccess(user);
                var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user)], CookieAuthenticationDefaults.AuthenticationScheme);
                await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
                logger.LogInformation("User {User} logged in", user);
                return Results.Redirect(returnUrl);
            })
            .AllowAnonymous()
            .DisableRequestTimeout()
            .ExcludeFromDescription();

        app.MapPost("/logout", async (HttpContext context) =>
            {
                await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                return Results.Redirect("/login");
            })
            .ExcludeFromDescription();
        return app;
    }

    public sealed class LoginForm
    {
        public string? User { get; set; }
        public string? Password { get; set; }
        public string? ReturnUrl { get; set; }
    }

    /// <summary>Only local paths, so the login form cannot be used to redirect elsewhere.</summary>
    private static string SafeReturnUrl(string? url) =>
        url is { Length: > 0 } && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)
            ? url
            : "/";

    private static IResult LoginPage(AntiforgeryTokenSet tokens, string returnUrl, string? error)
    {
        var message = error switch
        {
            "locked" => "<p class=\"error\">Too many failed attempts: this user or address is locked out for a while.</p>",
            "failed" => "<p class=\"error\">Wrong user name or password.</p>",
            _ => "",
        };
        var html = $"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Monitor — log in</title>
            <link rel="stylesheet" href="/css/login.css"></head>
            <body><main class="login"><h1>Monitor</h1>{message}
            <form method="post" action="/login">
            <input type="hidden" name="{WebUtility.HtmlEncode(tokens.FormFieldName)}" value="{WebUtility.HtmlEncode(tokens.RequestToken)}">
            <input type="hidden" name="ReturnUrl" value="{WebUtility.HtmlEncode(returnUrl)}">
            <label>User <input name="User" autocomplete="username" required autofocus></label>
            <label>Password <input name="Password" type="password" autocomplete="current-password" required></label>
            <button type="submit">Log in</button>
            </form></main></body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8");
    }
}
