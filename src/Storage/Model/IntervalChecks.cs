using Monitor.Storage.Model.Snapshots;

namespace Monitor.Storage.Model;

/// <summary>What every store refuses in an interval or second write, checked for a whole batch before anything is written.</summary>
internal static class IntervalChecks
{
    public static void Validate(IntervalSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (string.IsNullOrWhiteSpace(snapshot.Probe)) throw new ArgumentException("an interval needs a probe name");
        if (snapshot.End < snapshot.Start)
            throw new ArgumentException($"an interval cannot end before it starts (probe {snapshot.Probe}, start {snapshot.Start:O})");
    }

    public static void Validate(IReadOnlyList<IntervalSnapshot> snapshots)
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        foreach (var snapshot in snapshots) Validate(snapshot);
    }

    public static void Validate(IReadOnlyList<SecondPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        foreach (var point in points)
        {
            ArgumentNullException.ThrowIfNull(point);
            if (string.IsNullOrWhiteSpace(point.Probe)) throw new ArgumentException("a second point needs a probe name");
        }
    }
}
