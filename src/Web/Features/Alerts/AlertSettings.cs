using System.Net;
using Microsoft.Extensions.Configuration;
using System.Text.RegularExpressions;
using MimeKit;
using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Reports;

namespace Monitor.Web.Features.Alerts;

/// <summary>
/// A configuration that cannot run; the message lists every bad setting by its key. An argument
/// error, so that the site's start-up prints it as one message and exits with the bad-input code.
/// </summary>
public sealed class AlertConfigurationException(IReadOnlyList<string> errors)
    : ArgumentException("Invalid alert configuration:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}

/// <summary>The alert options after loading and validation, with the rules compiled.</summary>
public sealed partial class AlertSettings
{
    public const string UdpWeightRule = "udp_weight";
    public const double OurmonUdpWeightThreshold = 10_000_000;

    private AlertSettings(AlertOptions options, IReadOnlyList<AlertRule> rules, Uri siteUrl, MailboxAddress from)
    {
        Options = options;
        Rules = rules;
        SiteUrl = siteUrl;
        From = from;
    }

    public AlertOptions Options { get; }
    public IReadOnlyList<AlertRule> Rules { get; }
    public Uri SiteUrl { get; }
    public MailboxAddress From { get; }
    public bool MailConfigured => !string.IsNullOrWhiteSpace(Options.Smtp.Host);

    /// <summary>
    /// Binds the <c>Alerts</c> section (or the file it names) and validates it. Relative paths are
    /// resolved against baseDirectory. Throws <see cref="AlertConfigurationException"/> naming each bad setting.
    /// </summary>
    /// <param name="dataDirectory">Where the store keeps its data (the SQLite file's folder): the outbox and
    /// evidence go there unless Alerts:Outbox or Alerts:Evidence:Directory say otherwise.</param>
    public static AlertSettings Load(IConfiguration section, string baseDirectory, string? dataDirectory = null)
    {
        var errors = new List<string>();
        IConfiguration used = section;
        var options = Bind(section, errors, null);
        var file = options.File;
        if (errors.Count == 0 && !string.IsNullOrWhiteSpace(file))
        {
            var path = Path.GetFullPath(file, baseDirectory);
            if (!System.IO.File.Exists(path))
                errors.Add($"Alerts:File: the rules file '{path}' does not exist");
            else
            {
                try
                {
                    var fileConfig = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddJsonFile(path, optional: false).Build();
                    options = Bind(fileConfig, errors, $"Alerts:File ({path})");
                    used = fileConfig;
                    options.File = file;
                }
                catch (Exception e) when (e is InvalidDataException or FormatException or System.Text.Json.JsonException)
                {
                    errors.Add($"Alerts:File: '{path}' is not valid JSON: {e.Message}");
                }
            }
        }
        if (errors.Count > 0) throw new AlertConfigurationException(errors);
        if (dataDirectory is not null)
        {
            if (used["Outbox"] is null) options.Outbox = Path.Combine(dataDirectory, "outbox.db");
            if (used["Evidence:Directory"] is null) options.Evidence.Directory = Path.Combine(dataDirectory, "evidence");
        }
        options.Outbox = Path.GetFullPath(options.Outbox, baseDirectory);
        options.Evidence.Directory = Path.GetFullPath(options.Evidence.Directory, baseDirectory);
        return Validate(options);
    }

    public static AlertSettings Validate(AlertOptions options)
    {
        var errors = new List<string>();
        var smtp = options.Smtp;
        var sec = smtp.Security?.Trim().ToLowerInvariant();
        if (sec is not ("none" or "starttls" or "tls"))
            errors.Add($"Alerts:Smtp:Security: '{smtp.Security}' is not one of none, starttls, tls");
        if (smtp.Port is < 0 or > 65535)
            errors.Add($"Alerts:Smtp:Port: {smtp.Port} is not a TCP port (1-65535, 0 = default of the security mode)");
        if (smtp.TimeoutSeconds <= 0)
            errors.Add("Alerts:Smtp:TimeoutSeconds: must be above 0");
        if (smtp.User is not null && smtp.Password is null)
            errors.Add("Alerts:Smtp:Password: required when Alerts:Smtp:User is set");
        var enabledRules = options.Rules.Count(r => r.Enabled);
        if (enabledRules > 0 && string.IsNullOrWhiteSpace(smtp.Host))
            errors.Add("Alerts:Smtp:Host: required when rules are configured (the SMTP server that sends the mail)");
        if (smtp.Host is not null && (smtp.Host.Length == 0 || Uri.CheckHostName(smtp.Host) == UriHostNameType.Unknown))
            errors.Add($"Alerts:Smtp:Host: '{smtp.Host}' is not a host name or address");

        var from = new MailboxAddress("Monitor", $"monitor@{MachineHost()}");
        if (!string.IsNullOrWhiteSpace(smtp.From))
        {
            if (MailboxAddress.TryParse(smtp.From, out var parsed) && parsed.Address.Contains('@')) from = parsed;
            else errors.Add($"Alerts:Smtp:From: '{smtp.From}' is not an e-mail address");
        }

        if (!Uri.TryCreate(options.SiteUrl, UriKind.Absolute, out var siteUrl) || siteUrl.Scheme is not ("http" or "https"))
        {
            errors.Add($"Alerts:SiteUrl: '{options.SiteUrl}' is not an absolute http(s) URL");
            siteUrl = new Uri("http://127.0.0.1:5080");
        }
        if (options.PollSeconds is <= 0 or > 3600) errors.Add("Alerts:PollSeconds: must be above 0 and at most 3600");
        if (options.RetrySeconds <= 0) errors.Add("Alerts:RetrySeconds: must be above 0");
        if (options.MaxRetrySeconds < options.RetrySeconds) errors.Add("Alerts:MaxRetrySeconds: must be at least Alerts:RetrySeconds");
        if (string.IsNullOrWhiteSpace(options.Outbox)) errors.Add("Alerts:Outbox: the outbox file path is empty");

        CheckAddresses(options.To, "Alerts:To", errors);
        foreach (var (severity, list) in options.Recipients)
        {
            if (!Severities.All.Contains(severity, StringComparer.OrdinalIgnoreCase))
                errors.Add($"Alerts:Recipients:{severity}: '{severity}' is not a severity ({string.Join(", ", Severities.All)})");
            CheckAddresses(list, $"Alerts:Recipients:{severity}", errors);
        }

        var ev = options.Evidence;
        if (ev.Packets is < 1 or > 10_000_000) errors.Add("Alerts:Evidence:Packets: must be 1 to 10,000,000");
        if (ev.Seconds <= 0) errors.Add("Alerts:Evidence:Seconds: must be above 0");
        if (ev.MaxBytes < 64 * 1024) errors.Add("Alerts:Evidence:MaxBytes: must be at least 65536");
        if (ev.MaxHostsPerAlert < 1) errors.Add("Alerts:Evidence:MaxHostsPerAlert: must be at least 1");
        if (string.IsNullOrWhiteSpace(ev.Directory)) errors.Add("Alerts:Evidence:Directory: the directory is empty");

        var rules = new List<AlertRule>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Rules.Count; i++)
        {
            var rule = CompileRule(options.Rules[i], $"Alerts:Rules:{i}", options, errors);
            if (rule is null) continue;
            if (!names.Add(rule.Name)) errors.Add($"Alerts:Rules:{i}:Name: '{rule.Name}' is used by another rule; names must be unique");
            else if (options.Rules[i].Enabled) rules.Add(rule);
        }
        if (errors.Count > 0) throw new AlertConfigurationException(errors);
        return new AlertSettings(options, rules, siteUrl, from);
    }

    private static AlertOptions Bind(IConfiguration config, List<string> errors, string? where)
    {
        var options = new AlertOptions();
        TryBind(config, options, errors, where);
        // The binder skips list items it cannot convert without a word; rules are bound one by one so
        // that a bad value in a rule is an error naming its key.
        options.Rules = config.GetSection("Rules").GetChildren().Select(child =>
        {
            var rule = new AlertRuleOptions();
            TryBind(child, rule, errors, where);
            var conditions = child.GetSection("Where").GetChildren().ToList();
            rule.Where = conditions.Count == 0 ? null : conditions.Select(c =>
            {
                var condition = new FieldConditionOptions();
                TryBind(c, condition, errors, where);
                return condition;
            }).ToList();
            return rule;
        }).ToList();
        return options;
    }

    private static void TryBind(IConfiguration config, object target, List<string> errors, string? where)
    {
        try
        {
            Microsoft.Extensions.Configuration.ConfigurationBinder.Bind(config, target);
        }
        catch (InvalidOperationException e)
        {
            // The binder's message names the key and the value it could not convert.
            errors.Add(where is null ? e.Message : $"{where}: {e.Message}");
        }
    }

    private static AlertRule? CompileRule(AlertRuleOptions r, string key, AlertOptions options, List<string> errors)
    {
        var before = errors.Count;
        var type = (r.Type ?? (r.Metric is not null ? "metric" : r.Report is not null ? "report" : null))?.Trim().ToLowerInvariant();
        var name = string.IsNullOrWhiteSpace(r.Name) ? type ?? "" : r.Name.Trim();
        if (!RuleName().IsMatch(name))
            errors.Add($"{key}:Name: '{name}' must be 1-64 letters, digits, '-', '_' or '.'");
        var severity = (r.Severity ?? (type is "udp_weight" or "work_weight" or "blacklist" ? Severities.Critical : Severities.Warning)).Trim().ToLowerInvariant();
        if (!Severities.All.Contains(severity))
            errors.Add($"{key}:Severity: '{r.Severity}' is not one of {string.Join(", ", Severities.All)}");
        if (r.K < 1) errors.Add($"{key}:K: must be at least 1");
        if (r.W < r.K) errors.Add($"{key}:W: must be at least K ({r.K})");
        if (r.W > 1000) errors.Add($"{key}:W: at most 1000 intervals");
        if (r.CoolDown < TimeSpan.Zero) errors.Add($"{key}:CoolDown: must not be negative");
        CheckAddresses(r.To, $"{key}:To", errors);

        var recipients = r.To.Count > 0 ? r.To
            : options.Recipients.TryGetValue(severity, out var routed) && routed.Count > 0 ? routed
            : options.To;
        if (recipients.Count == 0)
            errors.Add($"{key}:To: rule '{name}' has no recipients; set {key}:To, Alerts:Recipients:{severity} or Alerts:To");

        var op = r.Op is null ? null : Comparison.Parse(r.Op);
        if (r.Op is not null && op is null)
            errors.Add($"{key}:Op: '{r.Op}' is not one of {string.Join(", ", Comparison.Aliases.Keys)}");
        var where = CompileWhere(r.Where, key, errors);

        AlertRuleKind kind;
        string? metric = null, report = null, series = null;
        FieldCondition? condition = null;
        double threshold = 0;
        switch (type)
        {
            case "metric":
                kind = AlertRuleKind.Metric;
                metric = r.Metric;
                if (string.IsNullOrWhiteSpace(metric)) errors.Add($"{key}:Metric: required for a metric rule (e.g. packets, bits)");
                else if (MetricCatalog.Find(metric) is null)
                    errors.Add($"{key}:Metric: unknown series '{metric}' (known: {string.Join(", ", MetricCatalog.All.Select(m => m.Name))})");
                if (r.Value is null) errors.Add($"{key}:Value: required for a metric rule");
                threshold = r.Value ?? 0;
                op ??= new Comparison(">");
                break;
            case "report":
                kind = AlertRuleKind.Report;
                report = r.Report;
                if (string.IsNullOrWhiteSpace(report)) errors.Add($"{key}:Report: required for a report rule");
                else if (ReportCatalog.Find(report) is null)
                    errors.Add($"{key}:Report: unknown report '{report}' (known: {string.Join(", ", ReportCatalog.All.Select(x => x.Name))})");
                if (r.Field is not null || r.Value is not null)
                {
                    if (r.Field is null || !FieldName().IsMatch(r.Field)) errors.Add($"{key}:Field: '{r.Field}' is not a report field name");
                    if (r.Value is null) errors.Add($"{key}:Value: required with {key}:Field");
                    condition = new FieldCondition(r.Field ?? "", op ?? new Comparison(">"), r.Value ?? 0);
                }
                break;
            case "udp_weight":
                kind = AlertRuleKind.Report;
                report = ReportCatalog.Udp;
                condition = new FieldCondition("weight", op ?? new Comparison(">"), r.Value ?? OurmonUdpWeightThreshold);
                break;
            case "work_weight":
                kind = AlertRuleKind.Report;
                report = ReportCatalog.Syn;
                condition = new FieldCondition("work_weight", op ?? new Comparison(">="), r.Value ?? 90);
                if (r.Where is null) where = [new FieldCondition("syn_sent", new Comparison(">="), 100)];
                break;
            case "blacklist":
                kind = AlertRuleKind.Report;
                report = ReportCatalog.Blacklist;
                break;
            case "drops":
                kind = AlertRuleKind.Drops;
                threshold = r.Value ?? 1;
                if (threshold is < 0 or > 100) errors.Add($"{key}:Value: drops are a percentage of received, 0 to 100");
                break;
            case "anomaly":
                kind = AlertRuleKind.Anomaly;
                series = string.IsNullOrWhiteSpace(r.Series) ? null : r.Series;
                if (series is not null && MetricCatalog.Find(series) is null)
                    errors.Add($"{key}:Series: unknown series '{series}'");
                break;
            default:
                errors.Add(type is null
                    ? $"{key}:Type: missing; set Type (metric, report, udp_weight, work_weight, blacklist, drops, anomaly) or Metric or Report"
                    : $"{key}:Type: '{r.Type}' is not one of metric, report, udp_weight, work_weight, blacklist, drops, anomaly");
                return null;
        }
        if (kind != AlertRuleKind.Report && where.Count > 0)
            errors.Add($"{key}:Where: only report rules have row conditions");

        string? evidence = null;
        if (kind == AlertRuleKind.Report && (r.Evidence ?? true) && options.Evidence.Enabled)
        {
            evidence = r.EvidenceFilter ?? DefaultEvidenceFilter(report);
            if (!evidence.Contains("{host}") && !evidence.Contains("{src}") && !evidence.Contains("{dst}"))
                errors.Add($"{key}:EvidenceFilter: '{evidence}' names no host; use {{host}} (or {{src}}, {{dst}})");
            else if (!EvidenceTemplate().IsMatch(evidence))
                errors.Add($"{key}:EvidenceFilter: '{evidence}' has characters a BPF expression does not use");
        }
        if (errors.Count > before) return null;
        return new AlertRule
        {
            Name = name,
            Kind = kind,
            Severity = severity,
            Metric = metric,
            Report = report,
            Condition = condition,
            Where = where,
            Series = series,
            Threshold = threshold,
            Op = op ?? new Comparison(">"),
            K = r.K,
            W = r.W,
            CoolDown = r.CoolDown,
            Recipients = recipients.Select(a => a.Trim()).ToList(),
            EvidenceFilter = evidence,
        };
    }

    private static List<FieldCondition> CompileWhere(List<FieldConditionOptions>? list, string key, List<string> errors)
    {
        var result = new List<FieldCondition>();
        if (list is null) return result;
        for (var i = 0; i < list.Count; i++)
        {
            var c = list[i];
            var k = $"{key}:Where:{i}";
            var op = Comparison.Parse(c.Op ?? ">=");
            if (c.Field is null || !FieldName().IsMatch(c.Field)) errors.Add($"{k}:Field: '{c.Field}' is not a report field name");
            if (op is null) errors.Add($"{k}:Op: '{c.Op}' is not one of {string.Join(", ", Comparison.Aliases.Keys)}");
            if (c.Value is null) errors.Add($"{k}:Value: required");
            if (c.Field is not null && op is not null && c.Value is not null) result.Add(new FieldCondition(c.Field, op, c.Value.Value));
        }
        return result;
    }

    private static string DefaultEvidenceFilter(string? report) => report switch
    {
        ReportCatalog.Udp => "host {host} and (udp or icmp)",
        ReportCatalog.Syn => "host {host} and (tcp or icmp)",
        ReportCatalog.IcmpErrors or ReportCatalog.IcmpTunnels => "host {host} and (icmp or icmp6)",
        ReportCatalog.Blacklist or ReportCatalog.Flows or ReportCatalog.TcpFlows or ReportCatalog.UdpFlows
            or ReportCatalog.IcmpFlows => "host {src} and host {dst}",
        _ => "host {host}",
    };

    private static void CheckAddresses(IEnumerable<string> addresses, string key, List<string> errors)
    {
        foreach (var a in addresses)
            if (string.IsNullOrWhiteSpace(a) || !MailboxAddress.TryParse(a, out var m) || !m.Address.Contains('@'))
                errors.Add($"{key}: '{a}' is not an e-mail address");
    }

    private static string MachineHost()
    {
        var name = Dns.GetHostName();
        return Uri.CheckHostName(name) == UriHostNameType.Dns ? name : "localhost";
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]{1,64}$")]
    private static partial Regex RuleName();

    [GeneratedRegex(@"^[a-z][a-z0-9_]{0,63}$")]
    private static partial Regex FieldName();

    [GeneratedRegex(@"^[A-Za-z0-9 _.:/(){}!&|<>=\[\]\-]+$")]
    private static partial Regex EvidenceTemplate();
}
