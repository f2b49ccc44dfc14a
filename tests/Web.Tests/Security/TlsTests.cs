using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Monitor.Web.Security;
using Monitor.Web.Tests.Support;

namespace Monitor.Web.Tests.Security;

/// <summary>
/// Off loopback only over TLS, with the real site: refused at start without it (decided before anything is
/// bound, so no address off loopback is ever listened on), and a login over HTTPS with a certificate openssl
/// makes here, on 127.0.0.1, whose cookies come back Secure and HttpOnly.
/// </summary>
public sealed class TlsTests : IDisposable
{
    private const string Password = "correct horse battery";
    private readonly string _dir = Directory.CreateTempSubdirectory("monitor-tls-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }

    [Fact]
    public async Task The_site_refuses_to_start_off_loopback_over_plain_http_in_one_line_saying_how()
    {
        var (code, output, error) = await WebProcess.RunAsync(_dir,
            "--urls", "http://0.0.0.0:5080", "--Auth:Users:0:Name=ana",
            $"--Auth:Users:0:PasswordHash={Credentials.HashPassword("ana", Password)}", $"--Probe:Store=sqlite:{Path.Combine(_dir, "m.db")}",
            "--Probe:Enabled=false");

        Assert.Equal(2, code);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("monitor-web: Refusing to listen on http://0.0.0.0:5080 over plain HTTP", line);
        Assert.Contains("Kestrel:Certificates:Default:Path", line);
        Assert.Contains("TlsProxy:Addresses", line);
        Assert.DoesNotContain("Now listening", output);
    }

    [Fact]
    public async Task A_login_over_https_with_a_configured_certificate_sets_a_secure_http_only_cookie()
    {
        var (cert, key) = MakeCertificate();
        using var site = new MonitorSite(kestrel: true, settings: new Dictionary<string, string?>
        {
            ["urls"] = "https://127.0.0.1:0",
            ["Kestrel:Certificates:Default:Path"] = cert,
            ["Kestrel:Certificates:Default:KeyPath"] = key,
            ["Auth:Users:0:Name"] = "ana",
            ["Auth:Users:0:PasswordHash"] = Credentials.HashPassword("ana", Password),
        });
        var thumbprint = X509Certificate2.CreateFromPemFile(cert, key).Thumbprint;
        var cookies = new CookieContainer();
        using var handler = new HttpClientHandler
        {
            AllowAutoRedirect = false,
            CookieContainer = cookies,
            // Trust exactly the certificate made above, nothing else.
            ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == thumbprint,
        };
        using var client = new HttpClient(handler) { BaseAddress = new Uri(site.BaseUrl) };
        Assert.Equal("https", client.BaseAddress.Scheme);

        var page = await client.GetStringAsync("/login?returnUrl=/reports/talkers");
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        var login = await client.PostAsync("/login", new FormUrlEncodedContent(
        [
            new("__RequestVerificationToken", WebUtility.HtmlDecode(token)), new("User", "ana"), new("Password", Password),
            new("ReturnUrl", "/reports/talkers"),
        ]));

        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/reports/talkers", login.Headers.Location!.OriginalString);
        var auth = Assert.Single(login.Headers.GetValues("Set-Cookie"), c => c.StartsWith("monitor.auth=", StringComparison.Ordinal));
        Assert.Contains("; secure", auth, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("; httponly", auth, StringComparison.OrdinalIgnoreCase);
        Assert.All(cookies.GetAllCookies(), c => Assert.True(c.Secure, $"cookie {c.Name} is not Secure"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/probes")).StatusCode);
    }

    /// <summary>A self-signed certificate for 127.0.0.1, as README's "TLS off loopback" makes one.</summary>
    private (string Cert, string Key) MakeCertificate()
    {
        var cert = Path.Combine(_dir, "cert.pem");
        var key = Path.Combine(_dir, "key.pem");
        var start = new ProcessStartInfo("openssl")
        {
            RedirectStandardError = true,
            ArgumentList =
            {
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            },
        };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(30_000), "openssl did not finish");
        Assert.True(process.ExitCode == 0, $"openssl failed: {error}");
        return (cert, key);
    }
}
