using System.Net;
using Monitor.Web.Security;
using Monitor.Web.Tests.Support;

namespace Monitor.Web.Tests.Security;

/// <summary>The real site with a configured user and API key: who gets in, who is locked out.</summary>
public sealed class AccessTests : IDisposable
{
    private const string Password = "correct horse battery";
    private readonly string _apiKey = Credentials.NewApiKey();
    private readonly MonitorSite _site;

    public AccessTests() => _site = new MonitorSite(settings: new Dictionary<string, string?>
    {
        ["Auth:Users:0:Name"] = "ana",
        ["Auth:Users:0:PasswordHash"] = Credentials.HashPassword("ana", Password),
        ["Auth:ApiKeys:0:Name"] = "script",
        ["Auth:ApiKeys:0:Hash"] = Credentials.HashApiKey(_apiKey),
        ["Auth:MaxFailedAttempts"] = "3",
    });

    public void Dispose() => _site.Dispose();

    private HttpClient Client() => _site.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });

    [Theory]
    [InlineData("/")]
    [InlineData("/graphs/packets")]
    [InlineData("/reports/talkers")]
    public async Task Anonymous_page_requests_are_redirected_to_the_login_page(string url)
    {
        var response = await Client().GetAsync(url);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/login", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/probes")]
    [InlineData("/api/series?metric=packets")]
    [InlineData("/metrics")]
    public async Task Anonymous_api_requests_get_401(string url) =>
        Assert.Equal(HttpStatusCode.Unauthorized, (await Client().GetAsync(url)).StatusCode);

    [Fact]
    public async Task The_health_check_stays_open() =>
        Assert.Equal(HttpStatusCode.OK, (await Client().GetAsync("/healthz")).StatusCode);

    [Fact]
    public async Task An_api_key_from_the_cli_opens_the_api_as_bearer_token_or_header()
    {
        var client = Client();
        client.DefaultRequestHeaders.Authorization = new("Bearer", _apiKey);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/probes")).StatusCode);

        var other = Client();
        other.DefaultRequestHeaders.Add("X-Api-Key", _apiKey);
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/api/probes")).StatusCode);

        var wrong = Client();
        wrong.DefaultRequestHeaders.Authorization = new("Bearer", _apiKey + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/api/probes")).StatusCode);
    }

    [Fact]
    public async Task The_right_password_logs_in_and_opens_the_pages()
    {
        var client = Client();
        var login = await LogIn(client, Password);
        Assert.Equal("/reports/talkers", login.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/reports/talkers")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/probes")).StatusCode);
    }

    [Fact]
    public async Task Wrong_passwords_lock_the_user_out_even_for_the_right_password()
    {
        var client = Client();
        for (var i = 0; i < 3; i++)
            Assert.Contains("error=failed", (await LogIn(client, "wrong")).Headers.Location!.OriginalString);
        var locked = await LogIn(client, Password);
        Assert.Contains("error=locked", locked.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task A_login_post_without_the_antiforgery_token_is_refused()
    {
        var response = await Client().PostAsync("/login", new FormUrlEncodedContent(
            [new("User", "ana"), new("Password", Password), new("ReturnUrl", "/")]));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Responses_carry_the_content_security_policy_and_security_headers()
    {
        var response = await Client().GetAsync("/login");
        Assert.Equal(SecurityHeaders.ContentSecurityPolicy, response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
    }

    private static async Task<HttpResponseMessage> LogIn(HttpClient client, string password)
    {
        var page = await client.GetStringAsync("/login?returnUrl=/reports/talkers");
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(token);
        return await client.PostAsync("/login", new FormUrlEncodedContent(
        [
            new("__RequestVerificationToken", WebUtility.HtmlDecode(token)), new("User", "ana"), new("Password", password),
            new("ReturnUrl", "/reports/talkers"),
        ]));
    }
}
