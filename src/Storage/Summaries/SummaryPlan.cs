namespace Monitor.Storage.Summaries;

/// <summary>
/// Which hourly and daily top-N summaries a batch of interval writes for one probe must (re)make, with the same
/// outcome as the one-interval rule applied interval by interval: when a probe's first interval of a new hour
/// arrives, the hours before it (back to <c>summarized_until</c>) that hold data are summarized and whole days
/// from their hours; an interval replayed into an hour already summarized redoes that hour and its day.
/// </summary>
public sealed record SummaryPlan(long? Until, long? RangeFrom, long? RangeTo, IReadOnlyList<long> RedoHours)
{
    /// <summary>True when <see cref="Until"/> moved (or was set for the first time) and must be stored.</summary>
    public bool UntilChanged { get; init; }

    /// <summary>The plan for interval starts (Unix ms, in write order) given the probe's stored summarized_until.</summary>
    public static SummaryPlan For(long? summarizedUntil, IEnumerable<long> startsMs)
    {
        var until = summarizedUntil;
        var first = summarizedUntil;
        var redo = new SortedSet<long>();
        var changed = false;
        foreach (var start in startsMs)
        {
            var hour = SummarySegments.Floor(start, SummarySegments.HourMs);
            if (until is null)
            {
                until = first = hour;
                changed = true;
            }
            else if (hour < first) redo.Add(hour);
            else if (hour > until)
            {
                until = hour;
                changed = true;
            }
        }
        return first is { } from && until is { } to && to > from
            ? new SummaryPlan(until, from, to, [.. redo]) { UntilChanged = changed }
            : new SummaryPlan(until, null, null, [.. redo]) { UntilChanged = changed };
    }

    /// <summary>
    /// The days to summarize: whole days of the range [RangeFrom, RangeTo) with a summarized hour, and the day of
    /// every redone hour.
    /// </summary>
    public IReadOnlyList<long> Days(IEnumerable<long> summarizedRangeHours)
    {
        var days = new SortedSet<long>();
        if (RangeFrom is { } from && RangeTo is { } to)
        {
            var hours = summarizedRangeHours.Select(h => SummarySegments.Floor(h, SummarySegments.DayMs)).ToHashSet();
            for (var day = SummarySegments.Floor(from, SummarySegments.DayMs); day + SummarySegments.DayMs <= to; day += SummarySegments.DayMs)
                if (hours.Contains(day)) days.Add(day);
        }
        foreach (var hour in RedoHours) days.Add(SummarySegments.Floor(hour, SummarySegments.DayMs));
        return [.. days];
    }
}
