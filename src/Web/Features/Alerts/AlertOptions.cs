namespace Monitor.Web.Features.Alerts;

/// <summary>
/// The configuration section <c>Alerts</c> (or the JSON file named by <c>Alerts:File</c>, whose root
/// object is this section). Bound once at start and turned into validated <see cref="AlertRule"/>s.
/// </summary>
public sealed class AlertOptions
{
    public const string Section = "Alerts";

    /// <summary>A JSON file holding this whole section; when set, it replaces the appsettings section.</summary>
    public string? File { get; set; }

    /// <summary>Base of the links in mails (drill-down pages, evidence downloads).</summary>
    public string SiteUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>The persistent outbox (SQLite file), next to the store's data by default.</summary>
    public string Outbox { get; set; } = "data/outbox.db";

    /// <summary>How often the store is read for newly stored intervals.</summary>
    public double PollSeconds { get; set; } = 5;

    /// <summary>First retry delay after a failed delivery; doubles per attempt up to MaxRetrySeconds.</summary>
    public double RetrySeconds { get; set; } = 10;

    public double MaxRetrySeconds { get; set; } = 600;

    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>Recipients of every rule that names none and has no severity route.</summary>
    public List<string> To { get; set; } = [];

    /// <summary>Routing by severity: <c>Recipients:critical = [...]</c>.</summary>
    public Dictionary<string, List<string>> Recipients { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public List<AlertRuleOptions> Rules { get; set; } = [];

    public EvidenceOptions Evidence { get; set; } = new();
}

public sealed class SmtpOptions
{
    public string? Host { get; set; }
    /// <summary>0 = the usual port of the security mode (25, 587, 465).</summary>
    public int Port { get; set; }
    /// <summary>none, starttls or tls.</summary>
    public string Security { get; set; } = "none";
    public string? User { get; set; }
    public string? Password { get; set; }
    public string? From { get; set; }
    public double TimeoutSeconds { get; set; } = 30;
}

public sealed class AlertRuleOptions
{
    public string? Name { get; set; }
    /// <summary>metric, report, udp_weight, work_weight, blacklist, drops or anomaly; inferred from Metric/Report when absent.</summary>
    public string? Type { get; set; }
    public string? Metric { get; set; }
    public string? Report { get; set; }
    public string? Field { get; set; }
    public string? Op { get; set; }
    public double? Value { get; set; }
    /// <summary>Extra conditions the same report row must meet (all of them).</summary>
    public List<FieldConditionOptions>? Where { get; set; }
    /// <summary>For anomaly rules: only spikes of this series (all series when absent).</summary>
    public string? Series { get; set; }
    /// <summary>The condition must hold in K of the last W intervals.</summary>
    public int K { get; set; } = 1;
    public int W { get; set; } = 1;
    /// <summary>After a mail, a new firing of the same rule and probe within this time sends none.</summary>
    public TimeSpan CoolDown { get; set; } = TimeSpan.FromMinutes(30);
    public string? Severity { get; set; }
    public List<string> To { get; set; } = [];
    /// <summary>Capture packets of each offending host (report rules only); default on for report rules.</summary>
    public bool? Evidence { get; set; }
    /// <summary>BPF template with {host} (and {src}, {dst} for flow reports).</summary>
    public string? EvidenceFilter { get; set; }
    public bool Enabled { get; set; } = true;
}

public sealed class FieldConditionOptions
{
    public string? Field { get; set; }
    public string? Op { get; set; }
    public double? Value { get; set; }
}

public sealed class EvidenceOptions
{
    public bool Enabled { get; set; } = true;
    public string Directory { get; set; } = "data/evidence";
    /// <summary>Packets per capture.</summary>
    public int Packets { get; set; } = 1000;
    /// <summary>A capture stops after this time even when fewer packets matched.</summary>
    public double Seconds { get; set; } = 300;
    /// <summary>All evidence files together; the oldest are removed first.</summary>
    public long MaxBytes { get; set; } = 200L * 1024 * 1024;
    /// <summary>Captures started per alert at most (the top offending hosts).</summary>
    public int MaxHostsPerAlert { get; set; } = 5;
}
