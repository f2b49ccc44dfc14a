using System.Globalization;
using Microsoft.AspNetCore.Components;
using Monitor.Web.Common;

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

    /// <summary>How a time is shown and typed: ISO 8601 with a space, 24-hour clock, seconds optional.</summary>
    internal const string Format = "yyyy-MM-dd HH:mm:ss";
    private const string Placeholder = "2026-11-23 10:00:00";
    private const string Pattern = @"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?Z?)?";

    private string? _from, _to;
    private string? _error;

    [Inject] private TimeProvider Clock { get; set; } = TimeProvider.System;

    [Parameter] public DateTimeOffset? From { get; set; }
    [Parameter] public DateTimeOffset? To { get; set; }
    [Parameter] public EventCallback<TimeRange> OnChange { get; set; }

    protected override void OnParametersSet()
    {
        _from = From?.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);
        _to = To?.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);
        _error = null;
    }

    private async Task ApplyAsync()
    {
        if (string.IsNullOrWhiteSpace(_from) || string.IsNullOrWhiteSpace(_to))
        {
            _error = "Give both times.";
            return;
        }
        if (!TimeRange.TryParseInstant(_from, "from", out var from, out var error) || !TimeRange.TryParseInstant(_to, "to", out var to, out error))
        {
            _error = error;
            return;
        }
        var range = new TimeRange(from, to);
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
