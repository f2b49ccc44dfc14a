using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Reports;
using Monitor.Web.Common;

namespace Monitor.Web.Common;

/// <summary>The site's URLs in one place, so every view can be bookmarked and every link agrees.</summary>
public static class Links
{
    public const string DefaultReport = "talkers";

    public static string ReportsAt(DateTimeOffset at, string report = DefaultReport, string? probe = null) =>
        With($"reports/{report}", ("at", TimeRange.Format(at)), ("probe", probe));

    public static string ReportsRange(TimeRange range, string report = DefaultReport, string? probe = null) =>
        With($"reports/{report}", ("from", TimeRange.Format(range.From)), ("to", TimeRange.Format(range.To)), ("probe", probe));

    public static string Graph(string metric, TimeRange? range = null, string? probe = null) =>
        range is { } r
            ? With($"graphs/{metric}", ("from", TimeRange.Format(r.From)), ("to", TimeRange.Format(r.To)), ("probe", probe))
            : With($"graphs/{metric}", ("probe", probe));

    /// <summary>
    /// An address's page over the window of the view the link is on, so the host is seen in the rows that
    /// named it; without a range the host page opens around that host's newest data.
    /// </summary>
    public static string Host(string ip, TimeRange? range = null, string? probe = null) =>
        range is { } r
            ? With($"hosts/{Uri.EscapeDataString(ip)}", ("from", TimeRange.Format(r.From)), ("to", TimeRange.Format(r.To)), ("probe", probe))
            : With($"hosts/{Uri.EscapeDataString(ip)}", ("probe", probe));

    /// <summary>
    /// The report a series' graph opens on a click: the one whose rows explain that series (UDP weight → udp,
    /// SYNs → syn, ICMP errors → icmp_errors, new flows → flows, scanners → ip_scanners,
    /// worm hosts → port_signatures, IRC messages → irc_channels), else the talkers.
    /// </summary>
    public static string ReportFor(string? metric) => metric switch
    {
        MetricCatalog.UdpMaxWeight => ReportCatalog.Udp,
        MetricCatalog.Syn => ReportCatalog.Syn,
        MetricCatalog.IcmpErrors => ReportCatalog.IcmpErrors,
        MetricCatalog.NewFlows => ReportCatalog.Flows,
        MetricCatalog.Scanners => ReportCatalog.IpScanners,
        MetricCatalog.WormTotal or MetricCatalog.WormHome or MetricCatalog.WormRemote => ReportCatalog.PortSignatures,
        MetricCatalog.IrcJoins or MetricCatalog.IrcPrivmsgs or MetricCatalog.IrcPings or MetricCatalog.IrcPongs => ReportCatalog.IrcChannels,
        _ => DefaultReport,
    };

    public static string With(string path, params (string Name, string? Value)[] query)
    {
        var parts = query.Where(q => !string.IsNullOrEmpty(q.Value))
            .Select(q => $"{q.Name}={Uri.EscapeDataString(q.Value!)}").ToList();
        return parts.Count == 0 ? path : $"{path}?{string.Join('&', parts)}";
    }
}
