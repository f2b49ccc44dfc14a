using System.Globalization;
using Monitor.Storage.Model;
using Monitor.Storage.Model.Queries;
using Monitor.Storage.Model.Reports;
using Monitor.Storage.Model.Snapshots;
using Monitor.Web.Features.Anomalies;

namespace Monitor.Web.Features.Events;

/// <summary>One line of the day's event log: a stored event, or a blacklist hit from the day's blacklist report.</summary>
public sealed record EventLogEntry(DateTimeOffset Time, DateTimeOffset? End, string Kind, string Probe, string Severity, string Message, string? Host);

/// <summary>The day's event log (UTC day), filtered by kind and probe, oldest first.</summary>
public sealed record EventLog(DateOnly Day, string? Kind, string? Probe, IReadOnlyList<EventLogEntry> Entries, IReadOnlyList<string> Probes, bool Truncated);

/// <summary>
/// Ourmon's daily event log: every event the store holds for one UTC day (probe start, stop and errors, capture and
/// store losses, alerts fired and resolved, spikes, evidence captures) plus the day's blacklist hits, which the store
/// keeps as rows of the blacklist report (first seen is their time).
/// </summary>
public sealed class EventLogService(IMonitorStore store)
{
    /// <summary>Kind of the entries made from blacklist report rows (URL contract: /events?kind=blacklist).</summary>
    public const string BlacklistKind = "blacklist";

    /// <summary>Most entries one day shows; the page says when a day had more.</summary>
    public const int Limit = 5000;

    public static IReadOnlyList<string> Kinds { get; } = [.. EventKinds.All, BlacklistKind];

    public async Task<EventLog> GetAsync(DateOnly day, string? kind, string? probe, CancellationToken cancellationToken = default)
    {
        kind = string.IsNullOrWhiteSpace(kind) ? null : kind.Trim();
        probe = string.IsNullOrWhiteSpace(probe) ? null : probe.Trim();
        if (kind is not null && !Kinds.Contains(kind))
            throw new StoreQueryException($"unknown event kind '{(kind.Length <= 40 ? kind : kind[..40] + "…")}' (known: {string.Join(", ", Kinds)})");
        var from = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var to = from.AddDays(1).AddTicks(-1);
        var probes = (await store.QueryProbesAsync(cancellationToken).ConfigureAwait(false)).Select(p => p.Probe).Order(StringComparer.Ordinal).ToList();
        IReadOnlyList<string>? only = probe is null ? null : [probe];
        var entries = new List<EventLogEntry>();
        var truncated = false;
        if (kind != BlacklistKind)
        {
            var events = await store.QueryEventsAsync(new EventQuery(from, to, only, kind, Limit + 1), cancellationToken).ConfigureAwait(false);
            truncated = events.Count > Limit;
            entries.AddRange(events.Take(Limit).Select(e => new EventLogEntry(e.Time, e.End, e.Kind, e.Probe, e.Severity, e.Message,
                e.Details.TryGetValue("host", out var host) ? host : null)));
        }
        if (kind is null or BlacklistKind)
        {
            var hits = await store.QueryTopAsync(new TopQuery(ReportCatalog.Blacklist, from, to, only, Limit), cancellationToken).ConfigureAwait(false);
            foreach (var hit in hits)
            {
                var time = DateTimeOffset.TryParse(hit.Text("first_seen"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : from;
                DateTimeOffset? last = DateTimeOffset.TryParse(hit.Text("last_seen"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var l) ? l : null;
                var listed = hit.Text("listed") == "src" ? hit.Text("src") : hit.Text("dst");
                entries.Add(new EventLogEntry(time, last, BlacklistKind, probe ?? "", "warning",
                    $"{hit.Text("src")} → {hit.Text("dst")} {hit.Text("proto")}/{hit.Text("dport")}: {hit.Number("packets"):0} packets to or from blacklisted {listed}",
                    listed));
            }
        }
        entries.Sort((a, b) => a.Time.CompareTo(b.Time));
        return new EventLog(day, kind, probe, entries, probes, truncated);
    }

    public static DateOnly ParseDay(string? text) => DayViewService.ParseDay(text);
}
