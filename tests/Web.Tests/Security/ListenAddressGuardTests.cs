using Monitor.Web.Security;

namespace Monitor.Web.Tests.Security;

public class ListenAddressGuardTests
{
    private static readonly AuthOptions NoAuth = new();
    private static readonly AuthOptions WithUser = new() { Users = [new UserAccount { Name = "ana", PasswordHash = "x" }] };

    [Theory]
    [InlineData("http://127.0.0.1:5080")]
    [InlineData("http://localhost:5080")]
    [InlineData("http://[::1]:5080")]
    [InlineData("https://127.0.0.2:443/")]
    public void Loopback_addresses_are_allowed_without_authentication(string url) =>
        Assert.Null(ListenAddressGuard.Check([url], NoAuth));

    [Theory]
    [InlineData("http://0.0.0.0:5080")]
    [InlineData("http://*:5080")]
    [InlineData("http://+:80")]
    [InlineData("http://[::]:5080")]
    [InlineData("http://192.0.2.10:5080")]
    public void Other_addresses_without_authentication_are_refused_with_a_one_line_reason(string url)
    {
        var refusal = ListenAddressGuard.Check(["http://127.0.0.1:5080", url], NoAuth);
        Assert.NotNull(refusal);
        Assert.Contains(url, refusal);
        Assert.Contains("monitor-web user add", refusal);
        Assert.DoesNotContain('\n', refusal);
    }

    [Fact]
    public void Any_address_is_allowed_once_a_user_is_configured() =>
        Assert.Null(ListenAddressGuard.Check(["http://0.0.0.0:5080"], WithUser));
}
