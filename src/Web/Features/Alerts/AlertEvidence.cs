using System.Net;
using Microsoft.Extensions.Logging;
using Monitor.Probe.Capture;
using Monitor.Probe.Evidence;
using Monitor.Storage.Model;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Web.Features.Alerts;

/// <summary>
/// Starts Ourmon-style trigger captures for the hosts of a firing rule on the in-process probe and
/// writes a <c>capture</c> event when each one ends. Without an in-process probe there is no recorder
/// and alerts go out without evidence.
/// </summary>
public sealed class AlertEvidence(
    AlertSettings settings, EvidenceRecorder? recorder, EvidenceStore files, IMonitorStore store, ILogger<AlertEvidence> logger)
{
    public bool Available => recorder is not null && settings.Options.Evidence.Enabled;

    public EvidenceRecorder? Recorder => recorder;

    /// <summary>The evidence directory (downloads work after the probe stopped too).</summary>
    public EvidenceStore Store => files;

    /// <param name="firing">The firing whose offenders are captured.</param>
    /// <param name="ended">Called once a capture has ended and its <c>capture</c> event is written.</param>
    public IReadOnlyList<EvidenceLink> StartFor(AlertFiring firing, Action<EvidenceLink, EvidenceResult>? ended = null)
    {
        var rule = firing.Rule;
        if (recorder is null || rule.EvidenceFilter is null || !settings.Options.Evidence.Enabled) return [];
        var links = new List<EvidenceLink>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var offender in firing.Offenders)
        {
            if (links.Count >= settings.Options.Evidence.MaxHostsPerAlert) break;
            var filter = FilterFor(rule.EvidenceFilter, offender);
            if (filter is null || !seen.Add(filter)) continue;
            try
            {
                var capture = recorder.Start(rule.Name, offender.Host, filter, settings.Options.Evidence.Packets,
                    TimeSpan.FromSeconds(settings.Options.Evidence.Seconds));
                var link = new EvidenceLink(rule.Name, firing.Probe, offender.Host, capture.Name, filter, capture.MaxPackets);
                links.Add(link);
                _ = capture.Completion.ContinueWith(t => RecordAsync(firing, link, t, ended), TaskScheduler.Default).Unwrap();
                logger.LogInformation("Evidence capture started for {Rule} on {Host}: {Filter} -> {File}", rule.Name, offender.Host, filter, capture.Name);
            }
            catch (Exception e) when (e is CaptureFilterException or IOException or UnauthorizedAccessException)
            {
                logger.LogWarning("Evidence capture for {Rule} on {Host} not started: {Error}", rule.Name, offender.Host, e.Message);
            }
        }
        return links;
    }

    /// <summary>
    /// The rule's BPF template with the row's addresses in place; null when a placeholder has no
    /// address (only parsed IP addresses ever reach the expression).
    /// </summary>
    public static string? FilterFor(string template, Offender offender)
    {
        var result = template;
        foreach (var (placeholder, value) in new[]
                 {
                     ("{host}", offender.Host),
                     ("{src}", offender.Row?.Text("src") ?? ""),
                     ("{dst}", offender.Row?.Text("dst") ?? ""),
                 })
        {
            if (!result.Contains(placeholder, StringComparison.Ordinal)) continue;
            if (!IPAddress.TryParse(value, out var ip)) return null;
            result = result.Replace(placeholder, ip.ToString(), StringComparison.Ordinal);
        }
        return result;
    }

    private async Task RecordAsync(AlertFiring firing, EvidenceLink link, Task<EvidenceResult> completion, Action<EvidenceLink, EvidenceResult>? ended)
    {
        if (completion.IsFaulted)
        {
            logger.LogWarning(completion.Exception, "Evidence capture {File} failed", link.File);
            return;
        }
        var result = completion.Result;
        logger.LogInformation("Evidence capture {File} done: {Packets} packets ({Reason})", result.File, result.Packets, result.Reason);
        var e = new MonitorEvent
        {
            Id = $"capture:{result.File}",
            Probe = firing.Probe,
            Time = firing.Start,
            End = firing.End,
            Kind = EventKinds.Capture,
            Severity = firing.Rule.Severity,
            Message = $"Evidence for {firing.Rule.Name} on {link.Host}: {result.Packets} packets matching \"{result.Filter}\" ({result.Reason})",
            Details = new Dictionary<string, string>
            {
                ["rule"] = firing.Rule.Name,
                ["host"] = link.Host,
                ["file"] = result.File,
                ["filter"] = result.Filter,
                ["packets"] = result.Packets.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["bytes"] = result.Bytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["reason"] = result.Reason,
                ["url"] = "/evidence/" + Uri.EscapeDataString(result.File),
            },
        };
        try
        {
            await store.WriteEventsAsync([e]).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            logger.LogWarning("Capture event for {File} not stored: {Error}", result.File, ex.Message);
        }
        try
        {
            ended?.Invoke(link, result);
        }
        catch (Exception ex) when (ex is IOException or Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
        {
            logger.LogWarning("Evidence mail for {File} not queued: {Error}", result.File, ex.Message);
        }
    }
}
