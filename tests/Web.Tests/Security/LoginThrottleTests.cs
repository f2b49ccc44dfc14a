using System.Net;
using Microsoft.Extensions.Time.Testing;
using Monitor.Web.Security;

namespace Monitor.Web.Tests.Security;

public class LoginThrottleTests
{
    private static readonly IPAddress Client = IPAddress.Parse("192.0.2.7");
    private static readonly IPAddress Other = IPAddress.Parse("192.0.2.8");
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
    private readonly LoginThrottle _throttle;

    public LoginThrottleTests() =>
        _throttle = new LoginThrottle(new AuthOptions { MaxFailedAttempts = 3, MaxFailedAttemptsPerAddress = 5, LockoutMinutes = 10 }, _clock);

    [Fact]
    public void A_user_is_locked_out_after_the_configured_number_of_failures()
    {
        _throttle.RecordFailure("ana", Client);
        _throttle.RecordFailure("ana", Other);
        Assert.False(_throttle.IsLockedOut("ana", Client));
        _throttle.RecordFailure("ANA", Client);
        Assert.True(_throttle.IsLockedOut("ana", IPAddress.Parse("198.51.100.1")));
        Assert.False(_throttle.IsLockedOut("bob", Other));
    }

    [Fact]
    public void An_address_trying_many_user_names_is_locked_out_for_every_name()
    {
        for (var i = 0; i < 5; i++) _throttle.RecordFailure($"user{i}", Client);

        Assert.True(_throttle.IsLockedOut("ana", Client));
        Assert.True(_throttle.IsLockedOut("ana", IPAddress.Parse("::ffff:192.0.2.7")));
        Assert.False(_throttle.IsLockedOut("ana", Other));
    }

    [Fact]
    public void The_lockout_ends_after_the_configured_time()
    {
        for (var i = 0; i < 5; i++) _throttle.RecordFailure("ana", Client);
        _clock.Advance(TimeSpan.FromMinutes(11));
        Assert.False(_throttle.IsLockedOut("ana", Client));
        _throttle.RecordFailure("ana", Client);
        Assert.False(_throttle.IsLockedOut("ana", Client));
    }

    [Fact]
    public void A_successful_login_clears_the_user_names_failures_but_not_the_addresses()
    {
        _throttle.RecordFailure("ana", Client);
        _throttle.RecordFailure("ana", Client);
        _throttle.RecordSuccess("ana");
        _throttle.RecordFailure("ana", Client);
        Assert.False(_throttle.IsLockedOut("ana", Client));
        _throttle.RecordFailure("bob", Client);
        _throttle.RecordFailure("carol", Client);
        Assert.True(_throttle.IsLockedOut("dave", Client));
    }

    [Fact]
    public void An_addresses_failures_are_forgotten_after_a_quiet_lockout_time()
    {
        for (var i = 0; i < 4; i++) _throttle.RecordFailure($"user{i}", Client);
        _clock.Advance(TimeSpan.FromMinutes(11));
        _throttle.RecordFailure("user9", Client);
        Assert.False(_throttle.IsLockedOut("nobody", Client));
    }
}
