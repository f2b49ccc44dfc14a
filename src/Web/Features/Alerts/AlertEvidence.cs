using System.Net;
using Microsoft.Extensions.Logging;
using Monitor.Probe.Capture;
using Monitor.Probe.Evidence;
using Monitor.Storage.Model;
using Monitor.Storage.Model.Snapshots;
using Monitor.Web.Common;
using Monitor.Web.Features.Packets;

namespace Monitor.Web.Features.Alerts;

/// <summary>The recorded packets of an offender over the firing interval, as the <c>/api/pcap</c> link mails and the page give.</summary>
public sealed record RecordedPackets(string Probe, string Host, string Filter, string Url);

/// <summary>
/// An alert's evidence. When the firing probe records (<c>Probe:Record</c>, <c>Packets:Recordings</c> or
/// <c>Packets:Remote</c>), a link to its recorded packets of the firing interval for each offender: the packets
/// that caused the alert. And Ourmon-style trigger captures of the offenders' next packets on the in-process
/// probe, with a <c>capture</c> event when each one ends; they outlive the recording's retention. Without an
/// in-process probe there is no recorder and no trigger capture.
/// </summary>
public sealed class AlertEvidence(
    AlertSettings settings, EvidenceRecorder? recorder, EvidenceStore files, PacketsOptions packets, IMonitorStore store,
    ILogger<AlertEvidence> logger)
{
    public bool Available => recorder is not null && settings.Options.Evidence.Enabled;

    public EvidenceRecorder? Recorder => recorder;

    /// <summary>The evidence directory (downloads work after the probe stopped too).</summary>
    public EvidenceStore Store => files;

    /// <summary>
    /// Links to the recorded packets of [Start, End) of the firing that match the rule's evidence filter for each
    /// offender (the top <c>Evidence:MaxHostsPerAlert</c>); none when the firing probe does not record.
    /// </summary>
    public IReadOnlyList<RecordedPackets> RecordedFor(AlertFiring firing)
    {
        if (firing.Rule.EvidenceFilter is not { } template || !packets.Records(firing.Probe)) return [];
        var window = new TimeRange(firing.Start, firing.End);
        return firing.Offenders
            .Select(o => (o.Host, Filter: FilterFor(template, o)))
            .Where(o => o.Filter is not null)
            .DistinctBy(o => o.Filter)
            .Take(settings.Options.Evidence.MaxHostsPerAlert)
            .Select(o => new RecordedPackets(firing.Probe, o.Host, o.Filter!,
                new Uri(settings.SiteUrl, PacketsLinks.Pcap(window, o.Filter, firing.Probe)).AbsoluteUri))
            .ToList();
    }

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
