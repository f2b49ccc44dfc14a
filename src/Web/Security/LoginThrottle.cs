using System.Collections.Concurrent;
using System.Net;

namespace Monitor.Web.Security;

/// <summary>
/// Counts failed logins per user name and per client address, and locks either out for a while after too
/// many (Auth:MaxFailedAttempts, Auth:MaxFailedAttemptsPerAddress): guessing one user's password and trying
/// one password on many user names are both slowed down. A success clears the user name's count only; an
/// address's count is forgotten once it has failed nothing for the lockout time.
/// </summary>
public sealed class LoginThrottle(AuthOptions options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, Failures> _users = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<IPAddress, Failures> _addresses = new();

    private sealed record Failures(int Count, DateTimeOffset Last, DateTimeOffset? LockedUntil);

    private TimeSpan Lockout => TimeSpan.FromMinutes(options.LockoutMinutes);

    public bool IsLockedOut(string user, IPAddress? address) =>
        Locked(_users, user) || (address is not null && Locked(_addresses, Normal(address)));

    public void RecordFailure(string user, IPAddress? address)
    {
        Fail(_users, user, options.MaxFailedAttempts);
        if (address is not null) Fail(_addresses, Normal(address), options.MaxFailedAttemptsPerAddress);
    }

    public void RecordSuccess(string user) => _users.TryRemove(user, out _);

    private bool Locked<TKey>(ConcurrentDictionary<TKey, Failures> failures, TKey key) where TKey : notnull =>
        failures.TryGetValue(key, out var f) && f.LockedUntil is { } until && until > clock.GetUtcNow();

    private void Fail<TKey>(ConcurrentDictionary<TKey, Failures> failures, TKey key, int limit) where TKey : notnull
    {
        var now = clock.GetUtcNow();
        failures.AddOrUpdate(key,
            _ => Next(null, now, limit),
            (_, f) => Next(f.LockedUntil is { } until ? (until <= now ? null : f) : (now - f.Last > Lockout ? null : f), now, limit));
    }

    private Failures Next(Failures? f, DateTimeOffset now, int limit)
    {
        var count = (f?.Count ?? 0) + 1;
        return new Failures(count, now, count >= limit ? now + Lockout : f?.LockedUntil);
    }

    /// <summary>An IPv4 client seen through a dual-stack socket is the same client.</summary>
    private static IPAddress Normal(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
