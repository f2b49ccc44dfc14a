using Microsoft.AspNetCore.Components;
using Monitor.Web.Time;

namespace Monitor.Web.Components.Shared;

/// <summary>Picks a custom UTC range (or a preset ending now) and raises it only when it is valid.</summary>
public sealed partial class RangePicker
{
    internal static readonly IReadOnlyList<(string Name, TimeSpan Length)> Presets =
    [
        ("1 hour", TimeSpan.FromHours(1)),
        ("day", Periods.Day),
        ("week", Periods.Week),
        ("month", Periods.Month),
        ("year", Periods.Year),
    ];

    private DateTime? _from, _to;
    private string? _error;

    [Inject] private TimeProvider Clock { get; set; } = TimeProvider.System;

    [Parameter] public DateTimeOffset? From { get; set; }
    [Parameter] public DateTimeOffset? To { get; set; }
    [Parameter] public EventCallback<TimeRange> OnChange { get; set; }

    protected override void OnParametersSet()
    {
        _from = From?.UtcDateTime;
        _to = To?.UtcDateTime;
        _error = null;
    }

    private async Task ApplyAsync()
    {
        if (_from is null || _to is null)
        {
            _error = "Give both times.";
            return;
        }
        var range = new TimeRange(new DateTimeOffset(_from.Value, TimeSpan.Zero), new DateTimeOffset(_to.Value, TimeSpan.Zero));
        if (range.From >= range.To)
        {
            _error = "'From' must be before 'To'.";
            return;
        }
        if (range.Length > Periods.MaxRange)
        {
            _error = $"A range can be at most {Periods.MaxRange.TotalDays:0} days.";
            return;
        }
        _error = null;
        await OnChange.InvokeAsync(range);
    }

    private async Task PresetAsync(TimeSpan length)
    {
        var now = Clock.GetUtcNow();
        var end = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        _error = null;
        await OnChange.InvokeAsync(TimeRange.Ending(end, length));
    }
}
