using System.Globalization;

namespace Monitor.Web.Common;

/// <summary>A closed time range [From, To] in UTC, as the URL and the API carry it.</summary>
public readonly record struct TimeRange(DateTimeOffset From, DateTimeOffset To)
{
    public TimeSpan Length => To - From;

    /// <summary>The range that ends now and spans the given period (Ourmon's day, week, month, year).</summary>
    public static TimeRange Ending(DateTimeOffset end, TimeSpan length) => new(end - length, end);

    /// <summary>URL form of an instant: ISO 8601 UTC to the second, e.g. 2026-11-23T10:00:00Z.</summary>
    public static string Format(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// Reads an instant given as ISO 8601 (with or without offset; no offset means UTC), a date
    /// (yyyy-MM-dd, midnight UTC) or Unix seconds. Returns false with a message that says what is wrong.
    /// </summary>
    public static bool TryParseInstant(string? text, string name, out DateTimeOffset value, out string? error)
    {
        value = default;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = $"'{name}' is empty; give a time such as 2026-11-23T10:00:00Z or Unix seconds";
            return false;
        }
        text = text.Trim();
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            if (seconds > 253402300799)
            {
                error = $"'{name}' = {text} is not a time (Unix seconds beyond year 9999)";
                return false;
            }
            value = DateTimeOffset.FromUnixTimeSeconds(seconds);
            return true;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value))
            return true;
        error = $"'{name}' = '{Shorten(text)}' is not a time; give ISO 8601 (2026-11-23T10:00:00Z) or Unix seconds";
        return false;
    }

    /// <summary>
    /// Reads an optional from/to pair; a missing bound defaults (to = now, from = to − defaultLength).
    /// Rejects from after to and ranges longer than maxLength.
    /// </summary>
    public static bool TryParse(string? from, string? to, DateTimeOffset now, TimeSpan defaultLength, TimeSpan maxLength,
        out TimeRange range, out string? error)
    {
        range = default;
        var end = now;
        if (!string.IsNullOrEmpty(to) && !TryParseInstant(to, "to", out end, out error)) return false;
        var start = end - defaultLength;
        if (!string.IsNullOrEmpty(from) && !TryParseInstant(from, "from", out start, out error)) return false;
        if (start > end)
        {
            error = $"'from' ({Format(start)}) is after 'to' ({Format(end)})";
            return false;
        }
        if (end - start > maxLength)
        {
            error = $"the range from {Format(start)} to {Format(end)} is longer than {maxLength.TotalDays:0} days";
            return false;
        }
        range = new TimeRange(start, end);
        error = null;
        return true;
    }

    internal static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}

/// <summary>Ourmon's four graph periods, each a little longer than its name so the edge stays in view.</summary>
public static class Periods
{
    public static readonly TimeSpan Day = TimeSpan.FromHours(33);
    public static readonly TimeSpan Week = TimeSpan.FromDays(8);
    public static readonly TimeSpan Month = TimeSpan.FromDays(33);
    public static readonly TimeSpan Year = TimeSpan.FromDays(400);

    /// <summary>The longest range a request may ask for (a little over two years).</summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(800);

    public static readonly IReadOnlyList<(string Name, TimeSpan Length)> All =
        [("day", Day), ("week", Week), ("month", Month), ("year", Year)];
}
