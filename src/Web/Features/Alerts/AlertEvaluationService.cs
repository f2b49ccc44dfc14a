using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Monitor.Web.Features.Anomalies.Detection;
using Monitor.Storage.Model;
using Monitor.Storage.Model.Queries;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Web.Features.Alerts;

/// <summary>
/// The alerting loop: every PollSeconds it reads each probe's newly stored intervals (and new spike
/// events) from the store, runs the rules, and for what fired or cleared writes <c>alert</c> /
/// <c>alert_resolved</c> events, links the recorded packets of the firing interval, starts evidence captures
/// and puts one mail per rule into the outbox.
/// Its state (what each probe's rules last saw) is kept in <see cref="AlertStateFile"/> next to the
/// outbox: after a restart it goes on from there. A probe it never saw is evaluated from its first stored
/// interval: every interval is evaluated exactly once, in order, whether it closed before the site started or
/// after, so a replay (or a store the CLI wrote) fires the same alerts however the site's start falls against it.
/// Evidence captures start only for firings whose interval is live (it ended within one capture window of now):
/// the next packets of an old interval's offender are not on the wire.
/// </summary>
public sealed class AlertEvaluationService(
    AlertSettings settings,
    IMonitorStore store,
    AlertOutbox outbox,
    AlertMailComposer composer,
    AlertEvidence evidence,
    AlertActivity activity,
    TimeProvider time,
    ILogger<AlertEvaluationService> logger) : BackgroundService
{
    private readonly AlertEvaluator _evaluator = new(settings.Rules);
    private readonly Dictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SeenSpike> _seenSpikes = new(StringComparer.Ordinal);
    private readonly AlertStateFile _stateFile = new(
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outbox.Path)) ?? ".", AlertStateFile.FileName), logger);
    private bool _restored;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (settings.Rules.Count == 0) return;
        logger.LogInformation("Alerting: {Count} rules, mail through {Host}, outbox {Outbox}",
            settings.Rules.Count, settings.Options.Smtp.Host, outbox.Path);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunRoundAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                activity.Failed(e.Message);
                logger.LogWarning("Alert evaluation round failed (store unreachable?): {Error}", e.Message);
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(settings.Options.PollSeconds), time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        evidence.Recorder?.StopAll("site stopping");
    }

    /// <summary>One evaluation round; returns what it decided.</summary>
    public async Task<AlertRound> RunRoundAsync(CancellationToken cancellationToken)
    {
        if (!_restored)
        {
            var saved = _stateFile.Load();
            foreach (var (probe, evaluated) in saved.Evaluated) _seen[probe] = evaluated;
            _evaluator.Restore(saved.Rules);
            _restored = true;
        }
        var probes = await store.QueryProbesAsync(cancellationToken).ConfigureAwait(false);
        var fresh = new List<IntervalSnapshot>();
        foreach (var p in probes)
        {
            if (p.LastIntervalStart is not { } last) continue;
            // A probe without saved state: from its first interval (see the class summary).
            var seen = _seen.GetValueOrDefault(p.Probe, DateTimeOffset.UnixEpoch);
            if (last <= seen) continue;
            var intervals = await store.QueryIntervalsAsync(
                new IntervalQuery(seen, last + TimeSpan.FromSeconds(1), [p.Probe]), cancellationToken).ConfigureAwait(false);
            var added = intervals.Where(i => i.Probe == p.Probe && i.Start > seen).ToList();
            fresh.AddRange(added);
            _seen[p.Probe] = added.Count > 0 ? added.Max(i => i.Start) : last;
        }

        var spikes = await NewSpikesAsync(fresh, cancellationToken).ConfigureAwait(false);
        var round = _evaluator.Evaluate(fresh, spikes);
        await PublishAsync(round, cancellationToken).ConfigureAwait(false);
        // After the mails are in the outbox: a crash in between mails again rather than never.
        if (fresh.Count > 0) SaveState();
        activity.RoundDone(time.GetUtcNow(), fresh.Count, _evaluator.States);
        return round;
    }

    private void SaveState()
    {
        try
        {
            _stateFile.Save(new SavedAlertState(new Dictionary<string, DateTimeOffset>(_seen), _evaluator.Save()));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Alert state not saved to {Path}: {Error}", _stateFile.Path, e.Message);
        }
    }

    private async Task<IReadOnlyList<MonitorEvent>> NewSpikesAsync(List<IntervalSnapshot> fresh, CancellationToken cancellationToken)
    {
        if (fresh.Count == 0 || !settings.Rules.Any(r => r.Kind == AlertRuleKind.Anomaly)) return [];
        // Spikes are found after their interval is stored: look back a while. The detector rewrites one
        // event (same Id) as a spike opens, grows and closes, so an event seen before is passed on again
        // when its End moved on or it closed.
        var lookBack = TimeSpan.FromHours(2);
        var from = fresh.Min(i => i.Start) - lookBack;
        var to = fresh.Max(i => i.End) + TimeSpan.FromMinutes(1);
        var events = await store.QueryEventsAsync(new EventQuery(from, to, Kind: EventKinds.Spike), cancellationToken).ConfigureAwait(false);
        var result = new List<MonitorEvent>();
        foreach (var e in events)
        {
            var seen = new SeenSpike(e.Probe, e.End ?? e.Time, Spike.FromEvent(e) is { Open: true });
            if (_seenSpikes.TryGetValue(e.Id, out var before) && seen.End <= before.End && seen.Open == before.Open) continue;
            _seenSpikes[e.Id] = seen;
            result.Add(e);
        }
        // Per probe, since data time can differ between probes (one may replay an old capture).
        foreach (var probe in fresh.GroupBy(i => i.Probe))
        {
            var horizon = probe.Min(i => i.Start) - lookBack;
            foreach (var (id, s) in _seenSpikes.ToList())
                if (s.Probe == probe.Key && s.End < horizon) _seenSpikes.Remove(id);
        }
        return result;
    }

    private sealed record SeenSpike(string Probe, DateTimeOffset End, bool Open);

    private async Task PublishAsync(AlertRound round, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var events = new List<MonitorEvent>();
        var records = new List<AlertRecord>();
        foreach (var group in round.Fired.GroupBy(f => f.Rule.Name))
        {
            var rule = group.First().Rule;
            var firings = group.ToList();
            var live = TimeSpan.FromSeconds(settings.Options.Evidence.Seconds);
            var links = firings.Where(f => now - f.End <= live).SelectMany(f => evidence.StartFor(f, (link, result) =>
            {
                // Only a capture that holds packets is mailed: an empty file is never linked.
                if (result.Packets > 0)
                    outbox.Enqueue(composer.Evidence(rule, f, link, result.Packets, result.Bytes, result.Reason), time.GetUtcNow());
                else
                    logger.LogInformation("Evidence capture {File} for {Rule} ended empty ({Reason}): not mailed", result.File, rule.Name, result.Reason);
            })).ToList();
            var recorded = firings.SelectMany(evidence.RecordedFor).ToList();
            var mail = composer.Fired(rule, firings, links, recorded);
            outbox.Enqueue(mail, now);
            logger.LogWarning("Alert {Rule} ({Severity}) fired: {Subject}", rule.Name, rule.Severity, mail.Subject);
            foreach (var f in firings)
            {
                var summary = f.Offenders.Count > 0
                    ? string.Join("; ", f.Offenders.Take(10).Select(o => o.Label)) + (f.Offenders.Count > 10 ? $"; … {f.Offenders.Count - 10} more" : "")
                    : $"{rule.Describe()} (value {(f.Value is { } v ? AlertText.Number(v) : "?")})";
                var drill = composer.DrillDown(f);
                var mine = links.Where(l => l.Probe == f.Probe).ToList();
                var minePackets = recorded.Where(r => r.Probe == f.Probe).ToList();
                records.Add(new AlertRecord(now, EventKinds.Alert, rule.Name, rule.Severity, f.Probe, f.Start, f.End, summary, drill, mine, minePackets));
                var details = new Dictionary<string, string>
                {
                    ["rule"] = rule.Name,
                    ["condition"] = rule.Describe(),
                    ["hosts"] = string.Join(",", f.Offenders.Select(o => o.Host).Distinct()),
                    ["link"] = drill,
                };
                if (f.Value is { } value) details["value"] = value.ToString(CultureInfo.InvariantCulture);
                if (rule.Condition is { } c) details["threshold"] = c.Value.ToString(CultureInfo.InvariantCulture);
                else if (rule.Kind is AlertRuleKind.Metric or AlertRuleKind.Drops) details["threshold"] = rule.Threshold.ToString(CultureInfo.InvariantCulture);
                if (mine.Count > 0) details["evidence"] = string.Join(",", mine.Select(l => l.File));
                if (minePackets.Count > 0) details["pcap"] = string.Join(" ", minePackets.Select(r => r.Url));
                events.Add(AlertEvent(EventKinds.Alert, rule, f.EventId, f.Probe, f.Start, f.End, $"{rule.Name}: {summary}", details));
            }
        }
        foreach (var group in round.Resolved.GroupBy(r => r.Rule.Name))
        {
            var rule = group.First().Rule;
            var resolutions = group.ToList();
            var mail = composer.Resolved(rule, resolutions);
            outbox.Enqueue(mail, now);
            logger.LogInformation("Alert {Rule} resolved: {Subject}", rule.Name, mail.Subject);
            foreach (var r in resolutions)
            {
                var summary = $"{rule.Describe()} no longer holds (active since {AlertOutbox.Format(r.Since)})";
                records.Add(new AlertRecord(now, EventKinds.AlertResolved, rule.Name, rule.Severity, r.Probe, r.Start, r.End, summary, null, [], []));
                events.Add(AlertEvent(EventKinds.AlertResolved, rule, r.EventId, r.Probe, r.Start, r.End, $"{rule.Name} resolved",
                    new Dictionary<string, string>
                    {
                        ["rule"] = rule.Name,
                        ["since"] = r.Since.ToString("O", CultureInfo.InvariantCulture),
                    }));
            }
        }
        if (records.Count > 0) activity.Add(records);
        if (events.Count == 0) return;
        try
        {
            await store.WriteEventsAsync(events, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The mails are already in the outbox; the events are what the store could not keep.
            logger.LogWarning("Alert events not stored ({Count}): {Error}", events.Count, e.Message);
        }
    }

    /// <summary>The stored event of a fired or resolved alert: the same fields either way, only kind, message and details differ.</summary>
    private static MonitorEvent AlertEvent(string kind, AlertRule rule, string id, string probe, DateTimeOffset start, DateTimeOffset? end,
        string message, IReadOnlyDictionary<string, string> details) => new()
    {
        Id = id,
        Probe = probe,
        Time = start,
        End = end,
        Kind = kind,
        Severity = rule.Severity,
        Message = message,
        Details = details,
    };
}
