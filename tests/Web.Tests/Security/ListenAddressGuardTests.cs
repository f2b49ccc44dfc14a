using System.Net;
using Microsoft.Extensions.Configuration;
using Monitor.Web.Security;

namespace Monitor.Web.Tests.Security;

/// <summary>The guard's decision, on addresses as strings: nothing here listens, so no address off loopback is ever bound.</summary>
public class ListenAddressGuardTests
{
    private static readonly IPAddress[] NoProxy = [];

    private static ListenEndpoint[] Plain(params string[] urls) => [.. urls.Select(u => new ListenEndpoint(u, HasCertificate: false))];

    [Theory]
    [InlineData("http://127.0.0.1:5080")]
    [InlineData("http://localhost:5080")]
    [InlineData("http://[::1]:5080")]
    [InlineData("https://127.0.0.2:443/")]
    public void Loopback_addresses_are_allowed_without_authentication_or_tls(string url) =>
        Assert.Null(ListenAddressGuard.Check(Plain(url), authenticated: false, NoProxy));

    [Theory]
    [InlineData("http://0.0.0.0:5080")]
    [InlineData("http://*:5080")]
    [InlineData("http://+:80")]
    [InlineData("http://[::]:5080")]
    [InlineData("http://192.0.2.10:5080")]
    public void Other_addresses_without_authentication_are_refused_with_a_one_line_reason(string url)
    {
        var refusal = ListenAddressGuard.Check(Plain("http://127.0.0.1:5080", url), authenticated: false, NoProxy);
        Assert.NotNull(refusal);
        Assert.Contains(url, refusal);
        Assert.Contains("monitor-web user add", refusal);
        Assert.DoesNotContain('\n', refusal);
    }

    [Theory]
    [InlineData("http://0.0.0.0:5080")]
    [InlineData("http://192.0.2.10:5080")]
    public void Plain_http_off_loopback_with_users_is_refused_saying_how_to_add_tls(string url)
    {
        var refusal = ListenAddressGuard.Check(Plain(url), authenticated: true, NoProxy);
        Assert.NotNull(refusal);
        Assert.Contains(url, refusal);
        Assert.Contains("Kestrel:Certificates:Default:Path", refusal);
        Assert.Contains("TlsProxy:Addresses", refusal);
        Assert.DoesNotContain('\n', refusal);
    }

    [Fact]
    public void Https_off_loopback_without_a_certificate_is_refused_naming_the_certificate_setting()
    {
        var refusal = ListenAddressGuard.Check(Plain("https://0.0.0.0:5443"), authenticated: true, NoProxy);
        Assert.NotNull(refusal);
        Assert.Contains("Kestrel:Certificates:Default:Path", refusal);
    }

    [Fact]
    public void Https_off_loopback_with_a_certificate_and_users_is_allowed() =>
        Assert.Null(ListenAddressGuard.Check([new ListenEndpoint("https://0.0.0.0:5443", HasCertificate: true)], authenticated: true, NoProxy));

    [Fact]
    public void Https_off_loopback_with_a_certificate_but_no_users_is_still_refused() =>
        Assert.NotNull(ListenAddressGuard.Check([new ListenEndpoint("https://0.0.0.0:5443", HasCertificate: true)], authenticated: false, NoProxy));

    [Fact]
    public void Plain_http_off_loopback_behind_a_named_tls_proxy_is_allowed() =>
        Assert.Null(ListenAddressGuard.Check(Plain("http://0.0.0.0:5080"), authenticated: true, [IPAddress.Parse("192.0.2.1")]));

    [Fact]
    public void Certificates_are_read_from_the_default_certificate_and_from_each_endpoint()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["urls"] = "https://0.0.0.0:5443;http://127.0.0.1:5080",
            ["Kestrel:Endpoints:Other:Url"] = "https://[::]:6443",
            ["Kestrel:Endpoints:Other:Certificate:Path"] = "/etc/monitor/other.pem",
        }).Build();

        var endpoints = ListenAddressGuard.ConfiguredEndpoints(configuration);

        Assert.Equal(
            [new ListenEndpoint("https://0.0.0.0:5443", false), new ListenEndpoint("http://127.0.0.1:5080", false), new ListenEndpoint("https://[::]:6443", true)],
            endpoints);
        configuration["Kestrel:Certificates:Default:Path"] = "/etc/monitor/cert.pem";
        Assert.All(ListenAddressGuard.ConfiguredEndpoints(configuration), e => Assert.True(e.HasCertificate));
    }

    [Fact]
    public void A_tls_proxy_that_is_not_an_address_refuses_the_start_naming_the_key()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TlsProxy:Addresses:0"] = "proxy.example",
        }).Build();

        var error = Assert.Throws<StartupRefusedException>(() => { ListenAddressGuard.TlsProxies(configuration); });
        Assert.Contains("TlsProxy:Addresses:0", error.Message);
    }
}
