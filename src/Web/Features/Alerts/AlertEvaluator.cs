using Monitor.Web.Features.Anomalies.Detection;
using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Reports;
using Monitor.Storage.Model.Snapshots;
using Monitor.Storage.Summaries;

namespace Monitor.Web.Features.Alerts;

/// <summary>A host (or series, for anomalies) that met a rule, with the report row that shows it.</summary>
public sealed record Offender(string Host, string Label, double Value, ReportRow? Row);

/// <summary>A rule that started to hold for a probe: the interval where it did and what it saw there.</summary>
public sealed record AlertFiring(
    AlertRule Rule,
    string Probe,
    DateTimeOffset Start,
    DateTimeOffset End,
    double? Value,
    IReadOnlyList<Offender> Offenders,
    string? TopReport,
    IReadOnlyList<ReportRow> TopRows)
{
    public string EventId => $"alert:{Rule.Name}:{Probe}:{Start.UtcTicks}";
}

/// <summary>A rule that stopped holding for a probe.</summary>
public sealed record AlertResolution(AlertRule Rule, string Probe, DateTimeOffset Since, DateTimeOffset Start, DateTimeOffset End, double? Value)
{
    public string EventId => $"alert_resolved:{Rule.Name}:{Probe}:{Start.UtcTicks}";
}

/// <summary>Everything one evaluation round decided; the mails group it by rule.</summary>
public sealed record AlertRound(IReadOnlyList<AlertFiring> Fired, IReadOnlyList<AlertResolution> Resolved)
{
    public static readonly AlertRound Empty = new([], []);
}

/// <summary>Where a rule stands for one probe, for the Alerts page.</summary>
public sealed record RuleState(
    string Rule,
    string Probe,
    bool Active,
    bool Suppressed,
    int Hits,
    int Window,
    DateTimeOffset? Since,
    DateTimeOffset? LastFired,
    DateTimeOffset? LastEvaluated,
    double? LastValue);

/// <summary>
/// Applies the rules to newly stored intervals, in order, keeping per (rule, probe) the last W
/// outcomes (k of w), whether the alert is active and when it last mailed (cool-down, in data time
/// so that replays of old captures behave as live traffic would). Not thread-safe: one round at a time.
/// </summary>
public sealed class AlertEvaluator(IReadOnlyList<AlertRule> rules, int topRows = 10)
{
    private sealed class State
    {
        public readonly Queue<bool> Window = new();
        public bool Active;
        public bool Suppressed;
        public DateTimeOffset? Since;
        public DateTimeOffset? LastFired;
        public DateTimeOffset? LastEvaluated;
        public DateTimeOffset OpenUntil;
        public double? LastValue;
        public readonly HashSet<string> OpenSpikes = new(StringComparer.Ordinal);

        /// <summary>When each offending host last mailed: the cool-down is per rule and host.</summary>
        public readonly Dictionary<string, DateTimeOffset> HostsFired = new(StringComparer.OrdinalIgnoreCase);
    }

    private readonly Dictionary<(string Rule, string Probe), State> _states = new();

    public IReadOnlyList<AlertRule> Rules { get; } = rules;

    public IReadOnlyList<RuleState> States =>
        _states.Select(kv => new RuleState(kv.Key.Rule, kv.Key.Probe, kv.Value.Active, kv.Value.Suppressed,
                kv.Value.Window.Count(x => x), Rules.First(r => r.Name == kv.Key.Rule).W, kv.Value.Since,
                kv.Value.LastFired, kv.Value.LastEvaluated, kv.Value.LastValue))
            .OrderBy(s => s.Rule).ThenBy(s => s.Probe).ToList();

    /// <summary>Every (rule, probe) state, to keep across a restart.</summary>
    public IReadOnlyList<SavedRuleState> Save() =>
        _states.Select(kv => new SavedRuleState(kv.Key.Rule, kv.Key.Probe, [.. kv.Value.Window], kv.Value.Active,
            kv.Value.Suppressed, kv.Value.Since, kv.Value.LastFired, kv.Value.LastEvaluated, kv.Value.OpenUntil, kv.Value.LastValue,
            kv.Value.OpenSpikes.Count > 0 ? [.. kv.Value.OpenSpikes] : null,
            kv.Value.HostsFired.Count > 0 ? new Dictionary<string, DateTimeOffset>(kv.Value.HostsFired) : null)).ToList();

    /// <summary>Takes up saved states; those of rules no longer configured are dropped.</summary>
    public void Restore(IEnumerable<SavedRuleState> saved)
    {
        foreach (var s in saved)
        {
            var rule = Rules.FirstOrDefault(r => r.Name == s.Rule);
            if (rule is null) continue;
            var state = StateOf(rule, s.Probe);
            state.Window.Clear();
            foreach (var outcome in s.Window.TakeLast(rule.W)) state.Window.Enqueue(outcome);
            state.Active = s.Active;
            state.Suppressed = s.Suppressed;
            state.Since = s.Since;
            state.LastFired = s.LastFired;
            state.LastEvaluated = s.LastEvaluated;
            state.OpenUntil = s.OpenUntil;
            state.LastValue = s.LastValue;
            state.OpenSpikes.Clear();
            state.OpenSpikes.UnionWith(s.OpenSpikes ?? []);
            state.HostsFired.Clear();
            foreach (var (host, at) in s.HostsFired ?? new Dictionary<string, DateTimeOffset>()) state.HostsFired[host] = at;
        }
    }

    /// <param name="intervals">Intervals not seen before, any probes.</param>
    /// <param name="newSpikes">Spike events not seen before, or seen again because the spike grew or closed
    /// (anomaly rules use those of kind new).</param>
    public AlertRound Evaluate(IReadOnlyList<IntervalSnapshot> intervals, IReadOnlyList<MonitorEvent> newSpikes)
    {
        var fired = new List<AlertFiring>();
        var resolved = new List<AlertResolution>();
        var ordered = intervals.OrderBy(i => i.Start).ThenBy(i => i.Probe, StringComparer.Ordinal).ToList();
        foreach (var rule in Rules)
        {
            if (rule.Kind == AlertRuleKind.Anomaly)
            {
                EvaluateAnomaly(rule, ordered, newSpikes, fired, resolved);
                continue;
            }
            foreach (var interval in ordered)
            {
                var state = StateOf(rule, interval.Probe);
                var (holds, value, offenders) = Observe(rule, interval);
                state.LastEvaluated = interval.End;
                state.LastValue = value;
                state.Window.Enqueue(holds);
                while (state.Window.Count > rule.W) state.Window.Dequeue();
                var hits = state.Window.Count(x => x);
                if (!state.Active && hits >= rule.K)
                {
                    state.Active = true;
                    state.Since = interval.Start;
                    var hosted = offenders.Count > 0;
                    var fresh = hosted ? Fresh(state, rule, offenders, interval.End) : offenders;
                    state.Suppressed = hosted
                        ? fresh.Count == 0
                        : state.LastFired is { } last && interval.End - last < rule.CoolDown;
                    if (state.Suppressed) continue;
                    Fire(state, rule, interval, value, hosted ? fresh : offenders, fired);
                }
                else if (state.Active && holds && offenders.Count > 0 && Fresh(state, rule, offenders, interval.End) is { Count: > 0 } newcomers)
                {
                    // A host meeting the rule while it is already active (a sweeper a minute after a scanner) is news
                    // of its own: a follow-up firing with just the new hosts, mailed and written as an event.
                    state.Suppressed = false;
                    Fire(state, rule, interval, value, newcomers, fired);
                }
                else if (state.Active && hits < rule.K)
                {
                    state.Active = false;
                    if (!state.Suppressed)
                        resolved.Add(new AlertResolution(rule, interval.Probe, state.Since ?? interval.Start, interval.Start, interval.End, value));
                    state.Suppressed = false;
                }
            }
        }
        return new AlertRound(fired, resolved);
    }

    /// <summary>The offenders whose host has not mailed for this rule within its cool-down.</summary>
    private static List<Offender> Fresh(State state, AlertRule rule, IReadOnlyList<Offender> offenders, DateTimeOffset at) =>
        offenders.Where(o => !state.HostsFired.TryGetValue(o.Host, out var last) || at - last >= rule.CoolDown).ToList();

    private void Fire(State state, AlertRule rule, IntervalSnapshot interval, double? value, IReadOnlyList<Offender> offenders,
        List<AlertFiring> fired)
    {
        state.LastFired = interval.End;
        foreach (var o in offenders) state.HostsFired[o.Host] = interval.End;
        var (topReport, top) = TopRows(rule, interval);
        fired.Add(new AlertFiring(rule, interval.Probe, interval.Start, interval.End, value, offenders, topReport, top));
    }

    private void EvaluateAnomaly(AlertRule rule, List<IntervalSnapshot> intervals, IReadOnlyList<MonitorEvent> spikes,
        List<AlertFiring> fired, List<AlertResolution> resolved)
    {
        var matching = spikes
            .Select(e => (Event: e, Spike: Spike.FromEvent(e)))
            .Where(x => x.Spike is { Kind: SpikeKind.New } s && (rule.Series is null || s.Series == rule.Series))
            .Select(x => (x.Event, Spike: x.Spike!))
            .OrderBy(x => x.Spike.Start);
        foreach (var group in matching.GroupBy(x => x.Spike.Probe))
        {
            var state = StateOf(rule, group.Key);
            var first = group.First().Spike;
            var end = group.Max(x => x.Spike.End);
            foreach (var (_, spike) in group)
            {
                if (spike.Open) state.OpenSpikes.Add(spike.Id);
                else state.OpenSpikes.Remove(spike.Id);
            }
            state.OpenUntil = state.Active && state.OpenUntil > end ? state.OpenUntil : end;
            state.LastEvaluated = end;
            if (state.Active) continue;
            state.Active = true;
            state.Since = first.Start;
            state.Suppressed = state.LastFired is { } last && first.Start - last < rule.CoolDown;
            if (state.Suppressed) continue;
            state.LastFired = first.Start;
            var offenders = group.Select(x => new Offender(
                x.Spike.Series,
                $"{x.Spike.Series}: {x.Event.Message}",
                double.IsNaN(x.Spike.Peak) ? 0 : x.Spike.Peak,
                null)).ToList();
            fired.Add(new AlertFiring(rule, group.Key, first.Start, end, null, offenders, null, []));
        }
        foreach (var interval in intervals)
        {
            if (!_states.TryGetValue((rule.Name, interval.Probe), out var state) || !state.Active) continue;
            state.LastEvaluated = interval.End;
            // A spike still open grows past its last End: the alert holds until it closes.
            if (interval.Start < state.OpenUntil || state.OpenSpikes.Count > 0) continue;
            state.Active = false;
            if (!state.Suppressed)
                resolved.Add(new AlertResolution(rule, interval.Probe, state.Since ?? interval.Start, interval.Start, interval.End, null));
            state.Suppressed = false;
        }
    }

    private State StateOf(AlertRule rule, string probe)
    {
        if (!_states.TryGetValue((rule.Name, probe), out var state))
            _states[(rule.Name, probe)] = state = new State();
        return state;
    }

    private static (bool Holds, double? Value, IReadOnlyList<Offender> Offenders) Observe(AlertRule rule, IntervalSnapshot interval)
    {
        switch (rule.Kind)
        {
            case AlertRuleKind.Metric:
            {
                if (!interval.Metrics.TryGetValue(rule.Metric!, out var value)) return (false, null, []);
                return (rule.Op.Holds(value, rule.Threshold), value, []);
            }
            case AlertRuleKind.Drops:
            {
                var drops = interval.Metrics.GetValueOrDefault(MetricCatalog.Drops);
                var received = interval.Metrics.GetValueOrDefault(MetricCatalog.Received);
                var percent = received > 0 ? 100 * drops / received : drops > 0 ? 100 : 0;
                return (percent > rule.Threshold, percent, []);
            }
            default:
            {
                var rows = interval.Reports.GetValueOrDefault(rule.Report!) ?? [];
                var offenders = new List<Offender>();
                foreach (var row in rows)
                {
                    if (rule.Condition is { } c && !c.Holds(row)) continue;
                    if (!rule.Where.All(w => w.Holds(row))) continue;
                    offenders.Add(OffenderOf(rule, row));
                }
                offenders.Sort((a, b) => b.Value.CompareTo(a.Value));
                return (offenders.Count > 0, offenders.Count > 0 ? offenders[0].Value : null, offenders);
            }
        }
    }

    private static Offender OffenderOf(AlertRule rule, ReportRow row)
    {
        var info = ReportCatalog.Find(rule.Report!);
        var hostFields = info?.HostFields ?? ["ip"];
        var hosts = hostFields.Select(row.Text).Where(h => h.Length > 0).ToList();
        var host = hosts.FirstOrDefault() ?? "?";
        var field = rule.Condition?.Field ?? info?.DefaultSort ?? "packets";
        var value = row.Number(field);
        var who = hosts.Count > 1 ? string.Join(" → ", hosts) : host;
        var label = rule.Condition is null ? $"{who} ({field} {AlertText.Number(value)})"
            : $"{who} {field} {AlertText.Number(value)} (threshold {rule.Condition.Op} {AlertText.Number(rule.Condition.Value)})";
        return new Offender(host, label, value, TopAggregator.WithoutSets(row));
    }

    private (string? Report, IReadOnlyList<ReportRow> Rows) TopRows(AlertRule rule, IntervalSnapshot interval)
    {
        var report = rule.Kind == AlertRuleKind.Report ? rule.Report! : ReportCatalog.Talkers;
        var rows = interval.Reports.GetValueOrDefault(report) ?? [];
        var sort = rule.Condition?.Field ?? ReportCatalog.Find(report)?.DefaultSort;
        IEnumerable<ReportRow> sorted = sort is null ? rows : rows.OrderByDescending(r => r.Number(sort));
        // The sets behind distinct counts are for range merges, not for a mail's table.
        return (report, sorted.Take(topRows).Select(TopAggregator.WithoutSets).ToList());
    }
}
