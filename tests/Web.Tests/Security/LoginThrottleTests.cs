using Microsoft.Extensions.Time.Testing;
using Monitor.Web.Security;

namespace Monitor.Web.Tests.Security;

public class LoginThrottleTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
    private readonly LoginThrottle _throttle;

    public LoginThrottleTests() =>
        _throttle = new LoginThrottle(new AuthOptions { MaxFailedAttempts = 3, LockoutMinutes = 10 }, _clock);

    [Fact]
    public void A_user_is_locked_out_after_the_configured_number_of_failures()
    {
        _throttle.RecordFailure("ana");
        _throttle.RecordFailure("ana");
        Assert.False(_throttle.IsLockedOut("ana"));
        _throttle.RecordFailure("ANA");
        Assert.True(_throttle.IsLockedOut("ana"));
        Assert.False(_throttle.IsLockedOut("bob"));
    }

    [Fact]
    public void The_lockout_ends_after_the_configured_time()
    {
        for (var i = 0; i < 3; i++) _throttle.RecordFailure("ana");
        _clock.Advance(TimeSpan.FromMinutes(11));
        Assert.False(_throttle.IsLockedOut("ana"));
        _throttle.RecordFailure("ana");
        Assert.False(_throttle.IsLockedOut("ana"));
    }

    [Fact]
    public void A_successful_login_clears_earlier_failures()
    {
        _throttle.RecordFailure("ana");
        _throttle.RecordFailure("ana");
        _throttle.RecordSuccess("ana");
        _throttle.RecordFailure("ana");
        Assert.False(_throttle.IsLockedOut("ana"));
    }
}
