using Monitor.Storage.Model.Snapshots;
using Monitor.TestKit.Filesystems;
using Monitor.Web.Features.Alerts;
using static Monitor.Web.Tests.Features.Alerts.AlertTestKit;

namespace Monitor.Web.Tests.Features.Alerts;

public sealed class AlertEvaluatorTests
{
    private static AlertEvaluator Evaluator(params AlertRuleOptions[] rules)
    {
        using var dir = new TempDirectory();
        return new AlertEvaluator(AlertSettings.Validate(Options(dir.Path, 25, rules)).Rules);
    }

    private static IntervalSnapshot UdpInterval(int index, params ReportRow[] rows) =>
        Interval("p1", T0.AddSeconds(30 * index), reports: new Dictionary<string, IReadOnlyList<ReportRow>> { ["udp"] = rows });

    [Fact]
    public void Udp_weight_rule_fires_for_every_host_above_ten_million_and_resolves_when_they_drop()
    {
        var evaluator = Evaluator(UdpWeightRule());
        var round = evaluator.Evaluate(
        [
            UdpInterval(0, UdpRow("192.0.2.7", 5000, 0, 4000, 4000), UdpRow("192.0.2.8", 4000, 0, 3000, 10), UdpRow("192.0.2.9", 100, 0, 100, 5)),
        ], []);
        var firing = Assert.Single(round.Fired);
        Assert.Equal(["192.0.2.7", "192.0.2.8"], firing.Offenders.Select(o => o.Host));
        Assert.Equal(20_000_000, firing.Value);
        Assert.Contains("weight 20,000,000 (threshold > 10,000,000)", firing.Offenders[0].Label);
        Assert.Equal(3, firing.TopRows.Count);
        Assert.Empty(round.Resolved);

        var still = evaluator.Evaluate([UdpInterval(1, UdpRow("192.0.2.7", 5000, 0, 4000, 4000))], []);
        Assert.Empty(still.Fired);
        Assert.Empty(still.Resolved);

        var clear = evaluator.Evaluate([UdpInterval(2, UdpRow("192.0.2.7", 10, 0, 10, 10))], []);
        var resolved = Assert.Single(clear.Resolved);
        Assert.Equal(T0, resolved.Since);
        Assert.Equal("p1", resolved.Probe);
    }

    [Fact]
    public void K_of_w_rule_fires_only_when_the_condition_held_in_k_of_the_last_w_intervals()
    {
        var evaluator = Evaluator(new AlertRuleOptions { Name = "busy", Metric = "packets", Op = ">", Value = 1000, K = 2, W = 3, To = ["a@example.org"] });
        IntervalSnapshot At(int i, double packets) => Interval("p1", T0.AddSeconds(30 * i), metrics: new Dictionary<string, double> { ["packets"] = packets });

        Assert.Empty(evaluator.Evaluate([At(0, 5000)], []).Fired);
        Assert.Empty(evaluator.Evaluate([At(1, 10)], []).Fired);
        var fired = evaluator.Evaluate([At(2, 2000)], []).Fired;
        Assert.Equal(2000, Assert.Single(fired).Value);
        Assert.Empty(evaluator.Evaluate([At(3, 5000)], []).Resolved);
        Assert.Single(evaluator.Evaluate([At(4, 10), At(5, 10)], []).Resolved);
    }

    [Fact]
    public void Cool_down_keeps_a_rule_that_fires_again_soon_from_mailing_again()
    {
        var evaluator = Evaluator(UdpWeightRule());
        var flood = UdpRow("192.0.2.7", 5000, 0, 4000, 4000);
        var quiet = UdpRow("192.0.2.7", 1, 0, 1, 1);
        var round = evaluator.Evaluate([UdpInterval(0, flood), UdpInterval(1, quiet), UdpInterval(2, flood), UdpInterval(3, quiet)], []);
        Assert.Single(round.Fired);
        Assert.Single(round.Resolved);

        var later = evaluator.Evaluate([UdpInterval(200, flood)], []);
        Assert.Single(later.Fired);
    }

    [Fact]
    public void Cool_down_is_per_host_so_a_second_host_meeting_the_rule_while_it_is_active_fires_a_follow_up_of_its_own()
    {
        var evaluator = Evaluator(UdpWeightRule());
        var scanner = UdpRow("192.0.2.7", 5000, 0, 4000, 4000);
        var sweeper = UdpRow("192.0.2.8", 6000, 0, 5000, 4000);

        var first = Assert.Single(evaluator.Evaluate([UdpInterval(0, scanner)], []).Fired);
        Assert.Equal(["192.0.2.7"], first.Offenders.Select(o => o.Host));
        // One interval later the sweeper joins: only it is news, under an event id of its own.
        var followUp = Assert.Single(evaluator.Evaluate([UdpInterval(2, scanner, sweeper)], []).Fired);
        Assert.Equal(["192.0.2.8"], followUp.Offenders.Select(o => o.Host));
        Assert.NotEqual(first.EventId, followUp.EventId);
        Assert.Empty(evaluator.Evaluate([UdpInterval(3, scanner, sweeper)], []).Fired);

        // After the alert resolves, the scanner again within its cool-down stays quiet, a third host does not.
        Assert.Single(evaluator.Evaluate([UdpInterval(4, UdpRow("192.0.2.7", 1, 0, 1, 1))], []).Resolved);
        var third = Assert.Single(evaluator.Evaluate([UdpInterval(5, scanner, UdpRow("192.0.2.9", 7000, 0, 6000, 4000))], []).Fired);
        Assert.Equal(["192.0.2.9"], third.Offenders.Select(o => o.Host));
    }

    [Fact]
    public void Work_weight_rule_needs_the_flag_and_at_least_the_minimum_of_syns()
    {
        var evaluator = Evaluator(new AlertRuleOptions { Type = "work_weight", To = ["a@example.org"] });
        ReportRow Syn(string ip, long syns, double weight) => new([new("ip", ip), new("syn_sent", syns), new("work_weight", weight), new("flag", "W")]);
        var round = evaluator.Evaluate(
        [
            Interval("p1", T0, reports: new Dictionary<string, IReadOnlyList<ReportRow>>
            {
                ["syn"] = [Syn("198.51.100.1", 5000, 99.5), Syn("198.51.100.2", 20, 100), Syn("198.51.100.3", 9000, 40)],
            }),
        ], []);
        Assert.Equal(["198.51.100.1"], Assert.Single(round.Fired).Offenders.Select(o => o.Host));
    }

    [Fact]
    public void Drops_rule_fires_above_one_percent_of_received()
    {
        var evaluator = Evaluator(new AlertRuleOptions { Type = "drops", To = ["a@example.org"] });
        IntervalSnapshot At(int i, double drops, double received) =>
            Interval("p1", T0.AddSeconds(30 * i), metrics: new Dictionary<string, double> { ["drops"] = drops, ["capture.received"] = received });
        Assert.Empty(evaluator.Evaluate([At(0, 9, 1000)], []).Fired);
        Assert.Equal(2.0, Assert.Single(evaluator.Evaluate([At(1, 20, 1000)], []).Fired).Value);
    }

    [Fact]
    public void Blacklist_rule_fires_on_any_hit_and_names_both_ends()
    {
        var evaluator = Evaluator(new AlertRuleOptions { Type = "blacklist", To = ["a@example.org"] });
        var row = new ReportRow([new("src", "10.0.0.5"), new("dst", "203.0.113.66"), new("proto", "tcp"), new("sport", 40000L), new("dport", 443L), new("packets", 12L), new("bytes", 900L)]);
        var round = evaluator.Evaluate([Interval("p1", T0, reports: new Dictionary<string, IReadOnlyList<ReportRow>> { ["blacklist"] = [row] })], []);
        var offender = Assert.Single(Assert.Single(round.Fired).Offenders);
        Assert.Equal("10.0.0.5", offender.Host);
        Assert.Contains("10.0.0.5 → 203.0.113.66", offender.Label);
        Assert.Equal("host 10.0.0.5 and host 203.0.113.66", AlertEvidence.FilterFor(round.Fired[0].Rule.EvidenceFilter!, offender));
    }

    [Fact]
    public void Anomaly_rule_mails_a_new_spike_and_not_a_recurring_one()
    {
        var evaluator = Evaluator(new AlertRuleOptions { Type = "anomaly", Series = "udp.max_weight", To = ["a@example.org"] });
        MonitorEvent Spike(string id, string kind, string series, int minute) => new()
        {
            Id = id, Probe = "p1", Time = T0.AddMinutes(minute), End = T0.AddMinutes(minute + 1), Kind = EventKinds.Spike,
            Message = $"{series} peak 9e7 vs baseline 1e3", Details = new Dictionary<string, string> { ["kind"] = kind, ["series"] = series, ["peak"] = "90000000" },
        };
        var recurring = evaluator.Evaluate([Interval("p1", T0)], [Spike("s1", "recurring", "udp.max_weight", 0)]);
        Assert.Empty(recurring.Fired);
        var otherSeries = evaluator.Evaluate([Interval("p1", T0.AddMinutes(1))], [Spike("s2", "new", "packets", 1)]);
        Assert.Empty(otherSeries.Fired);
        var fresh = evaluator.Evaluate([Interval("p1", T0.AddMinutes(2))], [Spike("s3", "new", "udp.max_weight", 2)]);
        Assert.Equal("udp.max_weight", Assert.Single(Assert.Single(fresh.Fired).Offenders).Host);
        Assert.Single(evaluator.Evaluate([Interval("p1", T0.AddMinutes(4))], []).Resolved);
    }

    [Fact]
    public void Each_probe_has_its_own_state_for_a_rule()
    {
        var evaluator = Evaluator(UdpWeightRule());
        var flood = new Dictionary<string, IReadOnlyList<ReportRow>> { ["udp"] = [UdpRow("192.0.2.7", 5000, 0, 4000, 4000)] };
        var round = evaluator.Evaluate([Interval("a", T0, reports: flood), Interval("b", T0, reports: flood)], []);
        Assert.Equal(["a", "b"], round.Fired.Select(f => f.Probe));
        Assert.Equal(2, evaluator.States.Count(s => s.Active));
    }
}
