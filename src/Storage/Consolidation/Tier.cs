namespace Monitor.Storage.Consolidation;

/// <summary>One round-robin level of a series: its step and how long it is kept.</summary>
public enum TierKind { Second, Interval, FiveMinute, Hour }

public sealed record Tier(TierKind Kind, TimeSpan Step, TimeSpan Retention);

/// <summary>
/// Picks the level and bucket width of a series query: the bucket is the smallest multiple of a level's
/// step that keeps at most MaxPoints epoch-aligned buckets; the level is the coarsest whose step still
/// fits in that bucket (same average, far fewer rows) among those whose retention reaches back to From.
/// </summary>
public static class TierPlanner
{
    public static IReadOnlyList<Tier> Tiers(StorageOptions options, TimeSpan intervalStep) =>
    [
        new(TierKind.Second, TimeSpan.FromSeconds(1), options.SecondRetention),
        new(TierKind.Interval, intervalStep, options.IntervalRetention),
        new(TierKind.FiveMinute, TimeSpan.FromMinutes(5), options.FiveMinuteRetention),
        new(TierKind.Hour, TimeSpan.FromHours(1), options.HourRetention),
    ];

    /// <summary>Candidate (tier, bucket seconds) pairs, best first; the caller falls back to the next when one has no data.</summary>
    public static IReadOnlyList<(Tier Tier, long BucketSeconds)> Plan(
        IReadOnlyList<Tier> tiers, DateTimeOffset from, DateTimeOffset to, int maxPoints, DateTimeOffset? newest)
    {
        var fromS = from.ToUnixTimeSeconds();
        var toS = to.ToUnixTimeSeconds();
        var needed = BucketFor(1, fromS, toS, maxPoints);
        var covering = tiers
            .Where(t => newest is null || from >= newest.Value - t.Retention || t == tiers[^1])
            .ToList();
        var fitting = covering.Where(t => t.Step.TotalSeconds <= needed).OrderByDescending(t => t.Step);
        var coarser = covering.Where(t => t.Step.TotalSeconds > needed).OrderBy(t => t.Step);
        return fitting.Concat(coarser)
            .Select(t => (t, BucketFor((long)Math.Max(1, t.Step.TotalSeconds), fromS, toS, maxPoints)))
            .ToList();
    }

    /// <summary>Smallest multiple of step giving at most maxPoints aligned buckets over [from, to].</summary>
    public static long BucketFor(long step, long from, long to, int maxPoints)
    {
        var span = Math.Max(0, to - from);
        var multiple = Math.Max(1, (long)Math.Ceiling(span / (double)step / maxPoints));
        var bucket = multiple * step;
        while (Floor(to, bucket) - Floor(from, bucket) + 1 > maxPoints) bucket += step;
        return bucket;
    }

    public static long Floor(long t, long bucket) => (long)Math.Floor(t / (double)bucket);
}
