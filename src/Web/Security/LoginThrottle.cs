using System.Collections.Concurrent;

namespace Monitor.Web.Security;

/// <summary>Counts failed logins per user name and locks the name out for a while after too many.</summary>
public sealed class LoginThrottle(AuthOptions options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, Failures> _failures = new(StringComparer.OrdinalIgnoreCase);

    private sealed record Failures(int Count, DateTimeOffset? LockedUntil);

    public bool IsLockedOut(string user) =>
        _failures.TryGetValue(user, out var f) && f.LockedUntil is { } until && until > clock.GetUtcNow();

    public void RecordFailure(string user) =>
        _failures.AddOrUpdate(user,
            _ => Next(new Failures(0, null)),
            (_, f) => Next(f.LockedUntil is { } until && until <= clock.GetUtcNow() ? new Failures(0, null) : f));

    public void RecordSuccess(string user) => _failures.TryRemove(user, out _);

    private Failures Next(Failures f)
    {
        var count = f.Count + 1;
        return count >= options.MaxFailedAttempts
            ? new Failures(count, clock.GetUtcNow().AddMinutes(options.LockoutMinutes))
            : new Failures(count, f.LockedUntil);
    }
}
