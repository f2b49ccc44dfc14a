using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Storage;
using Monitor.Storage.Model;
using Monitor.Storage.Sqlite;
using Monitor.TestKit.Filesystems;
using Monitor.Web.Features.Alerts;

namespace Monitor.Web.Tests.Features.Alerts;

public sealed class AlertSettingsTests
{
    private static AlertSettings Load(string directory, params (string Key, string Value)[] settings)
    {
        var config = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        return AlertSettings.Load(config.GetSection("Alerts"), directory);
    }

    [Fact]
    public async Task The_outbox_and_evidence_go_next_to_the_file_the_store_opened_for_a_relative_sqlite_double_slash_spec()
    {
        // Relative to the working directory, as monitor-web opens it; sqlite://PATH is read as sqlite:PATH.
        var folder = "alert-data-" + Guid.NewGuid().ToString("N")[..12];
        var spec = $"sqlite://{folder}/monitor.db";
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Probe:Store"] = spec,
            ["Alerts:Smtp:Host"] = "127.0.0.1",
            ["Alerts:Rules:0:Type"] = "udp_weight",
            ["Alerts:Rules:0:To:0"] = "soc@example.org",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(_ => StoreFactory.Open(spec));
        services.AddAlerts(config, Directory.GetCurrentDirectory());
        try
        {
            await using var provider = services.BuildServiceProvider();
            var settings = provider.GetRequiredService<AlertSettings>();
            var db = Assert.IsType<SqliteStore>(provider.GetRequiredService<IMonitorStore>()).Path;
            var data = Path.Combine(Directory.GetCurrentDirectory(), folder);
            Assert.Equal(Path.Combine(data, "monitor.db"), db);
            Assert.Equal(Path.Combine(data, "outbox.db"), settings.Options.Outbox);
            Assert.Equal(Path.Combine(data, "evidence"), settings.Options.Evidence.Directory);
        }
        finally
        {
            Directory.Delete(Path.Combine(Directory.GetCurrentDirectory(), folder), recursive: true);
        }
    }

    [Fact]
    public void One_rule_and_one_smtp_host_are_enough_for_a_first_mail()
    {
        using var dir = new TempDirectory();
        var settings = Load(dir.Path,
            ("Alerts:Smtp:Host", "mail.example.org"),
            ("Alerts:Rules:0:Type", "udp_weight"),
            ("Alerts:Rules:0:To:0", "soc@example.org"));
        var rule = Assert.Single(settings.Rules);
        Assert.Equal("udp_weight", rule.Name);
        Assert.Equal("any row of report udp with weight > 10,000,000", rule.Describe());
        Assert.Equal(Severities.Critical, rule.Severity);
        Assert.Equal(["soc@example.org"], rule.Recipients);
        Assert.Equal("host {host} and (udp or icmp)", rule.EvidenceFilter);
        Assert.Equal(25, SmtpMailSender.Port(settings.Options.Smtp));
        Assert.Equal(Path.Combine(dir.Path, "data", "outbox.db"), settings.Options.Outbox);
    }

    [Fact]
    public void Bad_settings_stop_the_start_with_every_bad_key_named()
    {
        using var dir = new TempDirectory();
        var error = Assert.Throws<AlertConfigurationException>(() => Load(dir.Path,
            ("Alerts:Smtp:Security", "ssl3"),
            ("Alerts:Smtp:From", "not an address"),
            ("Alerts:SiteUrl", "ftp://x"),
            ("Alerts:Rules:0:Metric", "pakets"),
            ("Alerts:Rules:0:Value", "5"),
            ("Alerts:Rules:0:To:0", "a@example.org"),
            ("Alerts:Rules:1:Report", "syn"),
            ("Alerts:Rules:1:Field", "work_weight"),
            ("Alerts:Rules:1:Op", "bigger"),
            ("Alerts:Rules:1:Value", "90"),
            ("Alerts:Rules:1:Severity", "dire"),
            ("Alerts:Rules:1:K", "3"),
            ("Alerts:Rules:1:W", "2"),
            ("Alerts:Rules:2:Type", "blacklist")));
        Assert.Contains(error.Errors, e => e.StartsWith("Alerts:Smtp:Host:", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.StartsWith("Alerts:Smtp:Security: 'ssl3'", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.StartsWith("Alerts:Smtp:From:", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.StartsWith("Alerts:SiteUrl:", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.StartsWith("Alerts:Rules:0:Metric: unknown series 'pakets'", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.StartsWith("Alerts:Rules:1:Op: 'bigger'", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.StartsWith("Alerts:Rules:1:Severity:", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.StartsWith("Alerts:Rules:1:W: must be at least K", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.StartsWith("Alerts:Rules:1:To:", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.StartsWith("Alerts:Rules:2:To: rule 'blacklist' has no recipients", StringComparison.Ordinal));
        Assert.Contains("Alerts:Rules:0:Metric", error.Message);
    }

    [Fact]
    public void A_value_that_does_not_convert_is_named_by_its_key()
    {
        using var dir = new TempDirectory();
        var error = Assert.Throws<AlertConfigurationException>(() => Load(dir.Path,
            ("Alerts:Smtp:Host", "mail.example.org"),
            ("Alerts:Rules:0:Type", "udp_weight"),
            ("Alerts:Rules:0:CoolDown", "soon"),
            ("Alerts:Rules:0:To:0", "a@example.org")));
        Assert.Contains("Alerts:Rules:0:CoolDown", Assert.Single(error.Errors));
    }

    [Fact]
    public void Rules_may_live_in_their_own_json_file_with_routing_by_severity()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("alerts.json"), """
            {
              "Smtp": { "Host": "127.0.0.1", "Port": 2525, "Security": "starttls", "User": "u", "Password": "p" },
              "Recipients": { "critical": ["pager@example.org"], "warning": ["team@example.org"] },
              "Rules": [
                { "Type": "work_weight", "Where": [ { "Field": "syn_sent", "Op": ">=", "Value": 500 } ] },
                { "Name": "link-full", "Metric": "bits", "Op": "above", "Value": 900000000, "K": 3, "W": 5, "CoolDown": "01:00:00" }
              ]
            }
            """);
        var settings = Load(dir.Path, ("Alerts:File", "alerts.json"));
        Assert.Equal(2, settings.Rules.Count);
        Assert.Equal(["pager@example.org"], settings.Rules[0].Recipients);
        Assert.Equal("any row of report syn with work_weight >= 90 and syn_sent >= 500", settings.Rules[0].Describe());
        Assert.Equal(["team@example.org"], settings.Rules[1].Recipients);
        Assert.Equal("bits > 900,000,000 in 3 of 5 intervals", settings.Rules[1].Describe());
        Assert.Equal(TimeSpan.FromHours(1), settings.Rules[1].CoolDown);
    }

    [Fact]
    public void A_missing_or_broken_rules_file_is_a_start_up_error_naming_alerts_file()
    {
        using var dir = new TempDirectory();
        Assert.StartsWith("Alerts:File:", Assert.Single(Assert.Throws<AlertConfigurationException>(() => Load(dir.Path, ("Alerts:File", "nope.json"))).Errors));
        File.WriteAllText(dir.File("bad.json"), "{ \"Rules\": [ ");
        Assert.StartsWith("Alerts:File:", Assert.Single(Assert.Throws<AlertConfigurationException>(() => Load(dir.Path, ("Alerts:File", "bad.json"))).Errors));
    }

    [Fact]
    public void No_rules_and_no_smtp_means_alerting_is_off_without_error()
    {
        using var dir = new TempDirectory();
        var settings = Load(dir.Path);
        Assert.Empty(settings.Rules);
        Assert.False(settings.MailConfigured);
    }
}
