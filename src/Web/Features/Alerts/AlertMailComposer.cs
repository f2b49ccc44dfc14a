using System.Globalization;
using System.Net;
using System.Text;
using Monitor.Storage.Model.Snapshots;
using Monitor.Web.Features.Anomalies;
using Monitor.Web.Common;

namespace Monitor.Web.Features.Alerts;

/// <summary>An evidence capture started for an offending host, as linked from mails and the page.</summary>
public sealed record EvidenceLink(string Rule, string Probe, string Host, string File, string Filter, int Packets);

/// <summary>
/// Writes the mails: one per rule per evaluation round listing every probe and host that fired, in
/// plain text and HTML, with the values against the threshold, the top rows of the report, a link
/// to the drill-down page of that interval, links to the recorded packets of that interval and the
/// evidence captures started.
/// </summary>
public sealed class AlertMailComposer(AlertSettings settings)
{
    public const int MaxHostsInSubject = 3;
    public const int MaxOffendersListed = 50;

    /// <param name="recorded">Links to the recorded packets of each firing interval (none when its probe does not record).</param>
    public OutgoingMail Fired(AlertRule rule, IReadOnlyList<AlertFiring> firings, IReadOnlyList<EvidenceLink> evidence,
        IReadOnlyList<RecordedPackets> recorded)
    {
        var hosts = firings.SelectMany(f => f.Offenders).Select(o => o.Host).Distinct().ToList();
        var what = hosts.Count switch
        {
            0 => firings.Count == 1 && firings[0].Value is { } v ? $"{rule.Describe()} (now {AlertText.Number(v)})" : rule.Describe(),
            <= MaxHostsInSubject => string.Join(", ", hosts),
            _ => $"{hosts.Count} hosts ({string.Join(", ", hosts.Take(MaxHostsInSubject))}, …)",
        };
        var subject = $"[Monitor {rule.Severity.ToUpperInvariant()}] {rule.Name}: {what}";

        var text = new StringBuilder();
        var html = new StringBuilder();
        text.AppendLine($"Alert {rule.Name} fired ({rule.Severity}).");
        text.AppendLine($"Condition: {rule.Describe()}.");
        html.Append("<html><body style=\"font-family:sans-serif\">");
        html.Append($"<h2>Alert {H(rule.Name)} fired ({H(rule.Severity)})</h2><p>Condition: <b>{H(rule.Describe())}</b></p>");
        foreach (var f in firings)
        {
            var link = DrillDown(f);
            text.AppendLine();
            text.AppendLine($"Probe {f.Probe}, interval {Time(f.Start)} to {Time(f.End)}:");
            html.Append($"<h3>Probe {H(f.Probe)}, interval {H(Time(f.Start))} to {H(Time(f.End))}</h3>");
            if (f.Offenders.Count == 0 && f.Value is { } value)
            {
                var against = rule.Kind == AlertRuleKind.Drops
                    ? $"drops {AlertText.Number(value)} % of received (threshold {AlertText.Number(rule.Threshold)} %)"
                    : $"{rule.Metric} = {AlertText.Number(value)} (threshold {rule.Op} {AlertText.Number(rule.Threshold)})";
                text.AppendLine($"  {against}");
                html.Append($"<p>{H(against)}</p>");
            }
            html.Append("<ul>");
            foreach (var o in f.Offenders.Take(MaxOffendersListed))
            {
                text.AppendLine($"  {o.Label}");
                html.Append(string.IsNullOrEmpty(o.Host) ? $"<li>{H(o.Label)}</li>" : $"<li><a href=\"{H(HostLink(f, o.Host))}\">{H(o.Label)}</a></li>");
            }
            html.Append("</ul>");
            if (f.Offenders.Count > MaxOffendersListed)
            {
                text.AppendLine($"  … and {f.Offenders.Count - MaxOffendersListed} more");
                html.Append($"<p>… and {f.Offenders.Count - MaxOffendersListed} more</p>");
            }
            foreach (var r in recorded.Where(r => r.Probe == f.Probe))
            {
                text.AppendLine($"  Recorded packets of {r.Host} in this interval matching \"{r.Filter}\" (pcap; login or API key): {r.Url}");
                html.Append($"<p>Recorded packets of {H(r.Host)} in this interval matching <code>{H(r.Filter)}</code>: <a href=\"{H(r.Url)}\">pcap</a> (login or API key)</p>");
            }
            // The capture has only just started: its file is linked by a mail of its own once it holds packets.
            foreach (var e in evidence.Where(e => e.Probe == f.Probe))
            {
                text.AppendLine($"  Evidence for {e.Host}: next {e.Packets} packets matching \"{e.Filter}\" are being captured; a follow-up mail links the file once the capture ends with packets.");
                html.Append($"<p>Evidence for {H(e.Host)}: next {e.Packets} packets matching <code>{H(e.Filter)}</code> are being captured; a follow-up mail links the file once the capture ends with packets.</p>");
            }
            if (f.TopRows.Count > 0 && f.TopReport is not null)
            {
                text.AppendLine($"  Top rows of report {f.TopReport}:");
                AppendTable(text, html, f.TopReport, f.TopRows);
            }
            text.AppendLine($"  Drill-down: {link}");
            html.Append($"<p><a href=\"{H(link)}\">Open the drill-down of this interval</a></p>");
        }
        text.AppendLine();
        text.AppendLine($"Alerts page: {new Uri(settings.SiteUrl, "/alerts")}");
        html.Append($"<p style=\"color:#666\"><a href=\"{H(new Uri(settings.SiteUrl, "/alerts").ToString())}\">Alerts page</a></p></body></html>");
        return new OutgoingMail("alert", rule.Name, subject, rule.Recipients, text.ToString(), html.ToString());
    }

    /// <summary>The follow-up of a fired mail: one ended evidence capture, only ever for one that holds packets.</summary>
    public OutgoingMail Evidence(AlertRule rule, AlertFiring firing, EvidenceLink link, long packets, long bytes, string reason)
    {
        if (packets <= 0) throw new ArgumentOutOfRangeException(nameof(packets), "an empty capture is never mailed");
        var url = EvidenceUrl(link.File);
        var subject = $"[Monitor {rule.Severity.ToUpperInvariant()}] {rule.Name}: evidence for {link.Host}";
        var line = $"Evidence for {link.Host} ({rule.Name} on probe {firing.Probe}, interval {Time(firing.Start)} to {Time(firing.End)}): " +
                   $"{packets} packets ({bytes} bytes) matching \"{link.Filter}\", ended by {reason}";
        var text = $"{line}: {url}{Environment.NewLine}{Environment.NewLine}Drill-down: {DrillDown(firing)}{Environment.NewLine}";
        var html = $"<html><body style=\"font-family:sans-serif\"><p>{H(line)}: <a href=\"{H(url)}\">{H(link.File)}</a></p>" +
                   $"<p><a href=\"{H(DrillDown(firing))}\">Open the drill-down of this interval</a></p></body></html>";
        return new OutgoingMail("evidence", rule.Name, subject, rule.Recipients, text, html);
    }

    public OutgoingMail Resolved(AlertRule rule, IReadOnlyList<AlertResolution> resolutions)
    {
        var probes = resolutions.Select(r => r.Probe).Distinct().ToList();
        var subject = $"[Monitor RESOLVED] {rule.Name} on {string.Join(", ", probes.Take(MaxHostsInSubject))}{(probes.Count > MaxHostsInSubject ? ", …" : "")}";
        var text = new StringBuilder();
        var html = new StringBuilder("<html><body style=\"font-family:sans-serif\">");
        text.AppendLine($"Alert {rule.Name} ({rule.Severity}) is resolved: {rule.Describe()} no longer holds.");
        html.Append($"<h2>Alert {H(rule.Name)} resolved</h2><p>{H(rule.Describe())} no longer holds.</p><ul>");
        foreach (var r in resolutions)
        {
            var line = $"Probe {r.Probe}: active from {Time(r.Since)} until {Time(r.Start)}"
                       + (r.Value is { } v ? $" (now {AlertText.Number(v)})" : "");
            text.AppendLine($"  {line}");
            html.Append($"<li>{H(line)}</li>");
        }
        html.Append("</ul></body></html>");
        return new OutgoingMail("resolved", rule.Name, subject, rule.Recipients, text.ToString(), html.ToString());
    }

    public OutgoingMail Test(IReadOnlyList<string> to, DateTimeOffset now)
    {
        var smtp = settings.Options.Smtp;
        var line = $"This is a test e-mail from Monitor at {settings.SiteUrl}, sent {Time(now)} through {smtp.Host}:{SmtpMailSender.Port(smtp)} ({smtp.Security}).";
        return new OutgoingMail("test", "test", "[Monitor] Test e-mail", to, line + Environment.NewLine,
            $"<html><body><p>{H(line)}</p></body></html>");
    }

    /// <summary>The reports page of the firing interval (the rule's report, else the talkers).</summary>
    public string DrillDown(AlertFiring f)
    {
        var path = f.Rule.Kind == AlertRuleKind.Anomaly
            ? SpikeLinks.Day(DateOnly.FromDateTime(f.Start.UtcDateTime), f.Probe)
            : "/" + Links.ReportsRange(new TimeRange(f.Start, f.End), f.TopReport ?? Links.DefaultReport, f.Probe);
        return new Uri(settings.SiteUrl, path).ToString();
    }

    /// <summary>The offender's host page over the firing interval, so it opens on the rows that fired.</summary>
    public string HostLink(AlertFiring f, string host) =>
        new Uri(settings.SiteUrl, "/" + Links.Host(host, new TimeRange(f.Start, f.End), f.Probe)).ToString();

    public string EvidenceUrl(string file) => new Uri(settings.SiteUrl, "/evidence/" + Uri.EscapeDataString(file)).ToString();

    private static void AppendTable(StringBuilder text, StringBuilder html, string report, IReadOnlyList<ReportRow> rows)
    {
        var columns = rows.SelectMany(r => r.Fields.Select(f => f.Name)).Distinct().ToList();
        var cells = rows.Select(r => columns.Select(c => Cell(r[c])).ToList()).ToList();
        var widths = columns.Select((c, i) => Math.Max(c.Length, cells.Max(row => row[i].Length))).ToList();
        text.AppendLine("    " + string.Join("  ", columns.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        foreach (var row in cells)
            text.AppendLine("    " + string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        html.Append($"<table border=\"1\" cellpadding=\"3\" style=\"border-collapse:collapse\"><caption>Top rows of report {H(report)}</caption><tr>");
        foreach (var c in columns) html.Append($"<th>{H(c)}</th>");
        html.Append("</tr>");
        foreach (var row in cells)
        {
            html.Append("<tr>");
            foreach (var c in row) html.Append($"<td>{H(c)}</td>");
            html.Append("</tr>");
        }
        html.Append("</table>");
    }

    private static string Cell(object? value) => value switch
    {
        null => "",
        long l => l.ToString("#,0", CultureInfo.InvariantCulture),
        int i => i.ToString("#,0", CultureInfo.InvariantCulture),
        double d => AlertText.Number(d),
        bool b => b ? "yes" : "",
        _ => value.ToString() ?? "",
    };

    private static string H(string s) => WebUtility.HtmlEncode(s);

    private static string Time(DateTimeOffset t) => AlertOutbox.Format(t);
}
