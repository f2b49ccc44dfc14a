using Monitor.Storage.Model.Snapshots;
using Monitor.Web.Features.Alerts;

namespace Monitor.Web.Tests.Features.Alerts;

internal static class AlertTestKit
{
    public static AlertOptions Options(string directory, int smtpPort, params AlertRuleOptions[] rules) => new()
    {
        SiteUrl = "http://monitor.test:5080",
        Outbox = System.IO.Path.Combine(directory, "outbox.db"),
        RetrySeconds = 0.2,
        MaxRetrySeconds = 1,
        PollSeconds = 0.2,
        Smtp = new SmtpOptions { Host = "127.0.0.1", Port = smtpPort, From = "monitor@example.org", TimeoutSeconds = 5 },
        Rules = [.. rules],
        Evidence = new EvidenceOptions { Directory = System.IO.Path.Combine(directory, "evidence"), Packets = 20, Seconds = 30 },
    };

    public static AlertRuleOptions UdpWeightRule(string to = "soc@example.org") => new() { Type = "udp_weight", To = [to] };

    public static IntervalSnapshot Interval(string probe, DateTimeOffset start, int seconds = 30,
        IReadOnlyDictionary<string, double>? metrics = null, IReadOnlyDictionary<string, IReadOnlyList<ReportRow>>? reports = null) => new()
    {
        Probe = probe,
        Start = start,
        End = start.AddSeconds(seconds),
        Metrics = metrics ?? new Dictionary<string, double>(),
        Reports = reports ?? new Dictionary<string, IReadOnlyList<ReportRow>>(),
    };

    public static ReportRow UdpRow(string ip, long sent, long received, long icmpErrors, long ports) => new(
    [
        new("ip", ip),
        new("sent", sent),
        new("received", received),
        new("icmp_errors_received", icmpErrors),
        new("distinct_ports", ports),
        new("weight", (sent - received) * icmpErrors),
    ]);

    public static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
}
