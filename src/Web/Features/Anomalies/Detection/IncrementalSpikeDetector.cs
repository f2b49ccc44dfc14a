using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Monitor.Storage.Model;

namespace Monitor.Web.Features.Anomalies.Detection;

/// <summary>
/// Scores points as they are stored: keeps each (probe, series) rolling window and k-of-w state, and
/// writes a spike event when a spike opens, while it grows, and when it closes (same Id throughout).
/// Call <see cref="CatchUpAsync"/> whenever a probe has stored new intervals; the first call for a probe
/// warms up from the store's last hour. Spikes whose events could not be written are kept and written first by
/// the probe's next call, so a store failure delays an event but never loses it.
/// </summary>
public sealed class IncrementalSpikeDetector(IMonitorStore store, AnomalyOptions options, ILogger? logger = null)
{
    private sealed class SeriesState(AnomalyOptions options, string series, DateTimeOffset coveredFrom)
    {
        public readonly ShortTermScorer Scorer = new(options, series, coveredFrom);
        public readonly FailuresTracker Tracker = new(options);
        public SeasonalEvidence? Season;
        public SpikeWindow? Written;
    }

    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private readonly Dictionary<(string Probe, string Series), SeriesState> _states = [];
    private readonly Dictionary<string, DateTimeOffset> _fedUntil = [];
    private readonly Dictionary<string, List<Spike>> _unsent = [];
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Raised for every spike that opened, grew or closed (after its event is written).</summary>
    public event Action<Spike>? SpikeChanged;

    /// <summary>
    /// Feeds the probe's points stored in [last call, until) and returns the spikes that changed (with those an
    /// earlier call could not write). Throws when the store does; the next call picks up where this one stopped.
    /// </summary>
    public async Task<IReadOnlyList<Spike>> CatchUpAsync(string probe, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_unsent.TryGetValue(probe, out var changed)) _unsent[probe] = changed = [];
            var known = _fedUntil.TryGetValue(probe, out var fed);
            if (known && until <= fed) return await SendAsync(changed, cancellationToken).ConfigureAwait(false);
            var from = known
                ? fed - options.Interval
                : until - options.ShortTermWindow - options.Interval * (options.FailuresW * 2 + 2);

            foreach (var series in options.EffectiveSeries)
            {
                if (!_states.TryGetValue((probe, series), out var state))
                    _states[(probe, series)] = state = new SeriesState(options, series, from);
                var loader = StoreSeries.Loader(store, options, probe, series);
                var points = await loader(from, until, cancellationToken).ConfigureAwait(false);
                var scoredPoints = new List<ScoredPoint>();
                foreach (var p in points) state.Scorer.Add(p, scoredPoints);
                state.Scorer.FlushCovered(until, scoredPoints);
                foreach (var scored in scoredPoints)
                {
                    var transition = state.Tracker.Add(scored);
                    if (transition is { Open: true })
                        state.Season = await SeasonalClassifier.CollectAsync(options, series, transition.Start, loader, cancellationToken)
                            .ConfigureAwait(false);
                    else if (transition is { Open: false } closed && state.Season is { } season)
                        Record(closed, season);
                }
                if (state.Tracker is { IsOpen: true, Current: { } open } && state.Season is { } openSeason && open != state.Written)
                    Record(open, openSeason);

                void Record(SpikeWindow window, SeasonalEvidence season)
                {
                    changed.Add(SpikeDetector.Classified(probe, series, window, season, options));
                    state.Written = window;
                }
            }
            _fedUntil[probe] = until;
            return await SendAsync(changed, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Writes the unsent spikes' events and empties the list only once the store has taken them.</summary>
    private async Task<IReadOnlyList<Spike>> SendAsync(List<Spike> unsent, CancellationToken cancellationToken)
    {
        if (unsent.Count == 0) return [];
        await store.WriteEventsAsync(unsent.Select(s => s.ToEvent()).ToList(), cancellationToken).ConfigureAwait(false);
        var sent = unsent.ToList();
        unsent.Clear();
        foreach (var s in sent)
        {
            _logger.LogInformation("Spike {Id} ({Kind}, {State}): {Reason}", s.Id, s.KindName, s.Open ? "open" : "closed", s.Reason);
            SpikeChanged?.Invoke(s);
        }
        return sent;
    }
}
