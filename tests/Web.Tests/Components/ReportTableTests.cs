using Bunit;
using Monitor.Storage.Model.Snapshots;
using Monitor.Web.Components.Shared;
using Monitor.Web.Common;

namespace Monitor.Web.Tests.Components;

public sealed class ReportTableTests : BunitContext
{
    private static ReportRow Talker(string ip, long packets, long bytes, bool inside = false) => new(
    [
        new("ip", ip), new("packets", packets), new("bytes", bytes), new("ip_inside", inside),
    ]);

    private static readonly IReadOnlyList<ReportRow> Talkers =
    [
        Talker("192.0.2.1", 10, 2_000),
        Talker("192.0.2.2", 500, 1_000_000, inside: true),
        Talker("198.51.100.7", 90, 50_000),
    ];

    private static IReadOnlyList<string> Column(IRenderedComponent<ReportTable> cut, string column) =>
        cut.FindAll($"tbody td[data-column='{column}']").Select(td => td.TextContent.Replace("home", "").Trim()).ToList();

    [Fact]
    public void Rows_come_in_the_reports_own_order_by_default()
    {
        var cut = Render<ReportTable>(p => p.Add(t => t.Report, "talkers").Add(t => t.Rows, Talkers));

        Assert.Equal(["192.0.2.2", "198.51.100.7", "192.0.2.1"], Column(cut, "ip"));
        Assert.Contains("sorted", cut.Find("th[data-column='bytes']").ClassName);
    }

    [Fact]
    public void Clicking_a_column_sorts_by_it_and_clicking_again_reverses()
    {
        var cut = Render<ReportTable>(p => p.Add(t => t.Report, "talkers").Add(t => t.Rows, Talkers));

        cut.Find("th[data-column='ip']").Click();
        Assert.Equal(["198.51.100.7", "192.0.2.2", "192.0.2.1"], Column(cut, "ip"));

        cut.Find("th[data-column='ip']").Click();
        Assert.Equal(["192.0.2.1", "192.0.2.2", "198.51.100.7"], Column(cut, "ip"));

        cut.Find("th[data-column='packets']").Click();
        Assert.Equal(["500", "90", "10"], Column(cut, "packets"));
    }

    [Fact]
    public void A_sort_given_by_the_page_is_applied_and_headers_link_to_the_next_sort()
    {
        var cut = Render<ReportTable>(p => p
            .Add(t => t.Report, "talkers")
            .Add(t => t.Rows, Talkers)
            .Add(t => t.SortBy, "packets")
            .Add(t => t.Descending, false)
            .Add(t => t.SortHref, s => $"reports/talkers?sort={s.Column}&dir={(s.Descending ? "desc" : "asc")}"));

        Assert.Equal(["10", "90", "500"], Column(cut, "packets"));
        Assert.Equal("reports/talkers?sort=packets&dir=desc", cut.Find("th[data-column='packets'] a").GetAttribute("href"));
        Assert.Equal("reports/talkers?sort=ip&dir=desc", cut.Find("th[data-column='ip'] a").GetAttribute("href"));
    }

    [Fact]
    public void Addresses_link_to_their_host_page_and_home_network_hosts_are_marked()
    {
        var cut = Render<ReportTable>(p => p.Add(t => t.Report, "talkers").Add(t => t.Rows, Talkers));

        var links = cut.FindAll("td[data-column='ip'] a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Contains("hosts/192.0.2.2", links);
        var homeCells = cut.FindAll("td.home");
        Assert.Equal("192.0.2.2", Assert.Single(homeCells).QuerySelector("a")!.TextContent);
        Assert.Equal("977 KiB", cut.FindAll("td[data-column='bytes']")[0].TextContent);
    }

    [Fact]
    public void Syn_rows_show_ourmons_W_and_w_flags_and_worm_marks()
    {
        IReadOnlyList<ReportRow> syn =
        [
            new([new("ip", "203.0.113.9"), new("syn_sent", 900L), new("work_weight", 98.5), new("flag", "W"), new("worm", true)]),
            new([new("ip", "203.0.113.10"), new("syn_sent", 40L), new("work_weight", 60.0), new("flag", "w"), new("worm", false)]),
            new([new("ip", "192.0.2.80"), new("syn_sent", 2L), new("work_weight", 3.0), new("flag", ""), new("worm", false)]),
        ];
        var cut = Render<ReportTable>(p => p.Add(t => t.Report, "syn").Add(t => t.Rows, syn));

        var rows = cut.FindAll("tbody tr");
        Assert.Equal("W", rows[0].QuerySelector(".flag-high")!.TextContent);
        Assert.NotNull(rows[0].QuerySelector(".worm-mark"));
        Assert.Contains("worm", rows[0].ClassName);
        Assert.Equal("w", rows[1].QuerySelector(".flag-low")!.TextContent);
        Assert.Null(rows[1].QuerySelector(".worm-mark"));
        Assert.Null(rows[2].QuerySelector(".flag"));
    }

    [Fact]
    public void An_empty_report_says_so()
    {
        var cut = Render<ReportTable>(p => p.Add(t => t.Report, "udp").Add(t => t.Rows, []).Add(t => t.Empty, "Nothing here."));

        Assert.Equal("Nothing here.", cut.Find("td.empty").TextContent);
    }

    [Fact]
    public void A_row_the_store_marks_a_lower_bound_shows_its_sums_as_at_least_without_a_column_of_its_own()
    {
        IReadOnlyList<ReportRow> rows =
        [
            new([new("ip", "192.0.2.1"), new("packets", 10L), new("bytes", 2_000L), new("lower_bound", true)]),
            new([new("ip", "192.0.2.2"), new("packets", 500L), new("bytes", 9_000L)]),
        ];
        var cut = Render<ReportTable>(p => p.Add(t => t.Report, "talkers").Add(t => t.Rows, rows));

        Assert.Equal(["500", "≥ 10"], Column(cut, "packets"));
        Assert.Single(cut.FindAll("tbody span.lower-bound[title^='At least']"), s => s.TextContent == "≥ 10");
        Assert.Empty(cut.FindAll("th[data-column='lower_bound']"));
        Assert.Equal(["192.0.2.2", "192.0.2.1"], Column(cut, "ip"));
    }
}

public sealed class ReportTableWindowTests : BunitContext
{
    private static readonly TimeRange Interval = new(new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero), new(2026, 11, 23, 10, 0, 30, TimeSpan.Zero));

    private static readonly IReadOnlyList<ReportRow> Talkers =
    [
        new([new("ip", "192.0.2.2"), new("packets", 500L), new("bytes", 3_000_000L), new("packets_sent", 300L), new("bytes_sent", 2_000_000L)]),
        new([new("ip", "198.51.100.7"), new("packets", 90L), new("bytes", 750_000L), new("packets_sent", 40L), new("bytes_sent", 250_000L)]),
    ];

    private IRenderedComponent<ReportTable> RenderTalkers(double? total = null) => Render<ReportTable>(p => p
        .Add(t => t.Report, "talkers")
        .Add(t => t.Rows, Talkers)
        .Add(t => t.HostRange, Interval)
        .Add(t => t.Probe, "edge-1")
        .Add(t => t.TotalBytes, total));

    [Fact]
    public void Address_links_carry_the_tables_window_and_probe()
    {
        var cut = RenderTalkers();

        Assert.Equal("hosts/192.0.2.2?from=2026-11-23T10%3A00%3A00Z&to=2026-11-23T10%3A00%3A30Z&probe=edge-1",
            cut.Find("td[data-column='ip'] a").GetAttribute("href"));
    }

    [Fact]
    public void Column_titles_are_readable_while_the_field_names_stay_in_the_markup()
    {
        var cut = RenderTalkers();

        Assert.Equal("packets sent", cut.Find("th[data-column='packets_sent'] a, th[data-column='packets_sent']").TextContent.Trim());
        Assert.Equal("address", cut.Find("th[data-column='ip']").TextContent.Trim());
        Assert.Equal("bytes sent", cut.Find("th[data-column='bytes_sent']").TextContent.Trim());
    }

    [Fact]
    public void Byte_counts_get_bits_per_second_over_the_window_and_a_share_of_the_total_when_it_is_known()
    {
        var cut = RenderTalkers(total: 6_000_000);

        // 3,000,000 bytes in 30 s = 800 kbit/s, half of the interval's 6 MB.
        Assert.Equal("bits/s", cut.Find("th[data-column='bits_per_second']").TextContent.Trim());
        Assert.Equal("800 kbit/s", cut.FindAll("td[data-column='bits_per_second']")[0].TextContent);
        Assert.Equal("800000", cut.FindAll("td[data-column='bits_per_second']")[0].GetAttribute("data-value"));
        Assert.Equal("50 %", cut.FindAll("td[data-column='percent_of_total']")[0].TextContent);
        Assert.Equal("12.5 %", cut.FindAll("td[data-column='percent_of_total']")[1].TextContent);
    }

    [Fact]
    public void Without_a_total_there_is_no_share_column_and_every_cell_keeps_its_raw_value_for_the_csv_export()
    {
        var cut = RenderTalkers();

        Assert.Empty(cut.FindAll("th[data-column='percent_of_total']"));
        Assert.Equal("3000000", cut.FindAll("td[data-column='bytes']")[0].GetAttribute("data-value"));
        Assert.Equal("2.9 MiB", cut.FindAll("td[data-column='bytes']")[0].TextContent);
        Assert.Equal("talkers", cut.Find(".table-block > button.csv-export").GetAttribute("data-csv"));
    }
}

/// <summary>Each report row opens the sessions and the recorded packets of the conversation it names, over the table's window.</summary>
public sealed class ReportTableRowLinksTests : BunitContext
{
    private static readonly TimeRange Interval = new(new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero), new(2026, 11, 23, 10, 0, 30, TimeSpan.Zero));
    private const string From = "2026-11-23T10%3A00%3A00Z";
    private const string To = "2026-11-23T10%3A00%3A30Z";

    private IRenderedComponent<ReportTable> RenderReport(string report, IReadOnlyList<ReportRow> rows, TimeRange? window = null) =>
        Render<ReportTable>(p => p
            .Add(t => t.Report, report)
            .Add(t => t.Rows, rows)
            .Add(t => t.HostRange, window ?? Interval)
            .Add(t => t.Probe, "edge-1"));

    private static IReadOnlyList<string?> Hrefs(IRenderedComponent<ReportTable> cut, string link) =>
        cut.FindAll($"tbody td.row-links a.{link}").Select(a => a.GetAttribute("href")).ToList();

    [Fact]
    public void A_talker_row_links_the_sessions_and_packets_of_its_address_over_the_rows_interval()
    {
        var cut = RenderReport("talkers", [new([new("ip", "192.0.2.2"), new("packets", 500L), new("bytes", 3_000_000L)])]);

        Assert.Equal([$"sessions?q=host%20192.0.2.2&from={From}&to={To}&probe=edge-1"], Hrefs(cut, "sessions-link"));
        Assert.Equal(["/api/pcap?from=2026-11-23T10:00:00Z&to=2026-11-23T10:00:30Z&filter=host%20192.0.2.2&probe=edge-1"], Hrefs(cut, "packets-link"));
    }

    [Fact]
    public void A_flow_row_links_both_hosts_and_the_responder_port_and_an_icmp_flow_only_its_hosts()
    {
        IReadOnlyList<ReportRow> flows =
        [
            new([new("src", "192.0.2.7"), new("dst", "2001:db8::1"), new("proto", "tcp"), new("sport", 40000L), new("dport", 443L), new("packets", 20L), new("bytes", 9_000L)]),
            new([new("src", "192.0.2.8"), new("dst", "198.51.100.9"), new("proto", "icmp"), new("sport", 8L), new("dport", 0L), new("packets", 10L), new("bytes", 800L)]),
        ];
        var cut = RenderReport("flows", flows);

        Assert.Equal(
        [
            $"sessions?q=host%20192.0.2.7%20and%20host%202001%3Adb8%3A%3A1%20and%20port%20443&from={From}&to={To}&probe=edge-1",
            $"sessions?q=host%20192.0.2.8%20and%20host%20198.51.100.9&from={From}&to={To}&probe=edge-1",
        ], Hrefs(cut, "sessions-link"));
        Assert.Equal(
        [
            "/api/pcap?from=2026-11-23T10:00:00Z&to=2026-11-23T10:00:30Z&filter=host%20192.0.2.7%20and%20host%202001%3Adb8%3A%3A1%20and%20port%20443&probe=edge-1",
            "/api/pcap?from=2026-11-23T10:00:00Z&to=2026-11-23T10:00:30Z&filter=host%20192.0.2.8%20and%20host%20198.51.100.9&probe=edge-1",
        ], Hrefs(cut, "packets-link"));
    }

    [Fact]
    public void A_port_row_links_the_sessions_and_packets_of_that_port()
    {
        var cut = RenderReport("ports", [new([new("proto", "udp"), new("port", 53L), new("packets", 70L), new("bytes", 7_000L)])]);

        Assert.Equal([$"sessions?q=port%2053&from={From}&to={To}&probe=edge-1"], Hrefs(cut, "sessions-link"));
        Assert.Equal(["/api/pcap?from=2026-11-23T10:00:00Z&to=2026-11-23T10:00:30Z&filter=port%2053&probe=edge-1"], Hrefs(cut, "packets-link"));
    }

    [Fact]
    public void An_hours_summary_keeps_the_hour_exactly_in_its_links()
    {
        var hour = new TimeRange(new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero), new(2026, 11, 23, 11, 0, 0, TimeSpan.Zero));
        var cut = RenderReport("syn", [new([new("ip", "203.0.113.9"), new("syn_sent", 900L), new("work_weight", 98.5)])], hour);

        Assert.Equal(["sessions?q=host%20203.0.113.9&from=2026-11-23T10%3A00%3A00Z&to=2026-11-23T11%3A00%3A00Z&probe=edge-1"], Hrefs(cut, "sessions-link"));
        Assert.StartsWith("/api/pcap?from=2026-11-23T10:00:00Z&to=2026-11-23T11:00:00Z&", Hrefs(cut, "packets-link").Single());
    }

    [Fact]
    public void Without_a_window_or_a_conversation_there_are_no_row_links_and_the_links_stay_out_of_the_csv()
    {
        var noWindow = Render<ReportTable>(p => p.Add(t => t.Report, "talkers").Add(t => t.Rows, [new([new("ip", "192.0.2.2"), new("bytes", 10L)])]));
        Assert.Empty(noWindow.FindAll(".row-links"));

        var channels = RenderReport("irc_channels", [new([new("channel", "#bots"), new("hosts", 2L), new("scanners", 1L)])]);
        Assert.Empty(channels.FindAll(".row-links"));

        var talkers = RenderReport("talkers", [new([new("ip", "192.0.2.2"), new("bytes", 10L)])]);
        Assert.All(talkers.FindAll(".row-links"), cell => Assert.True(cell.HasAttribute("data-csv-skip")));
        Assert.Equal(2, talkers.FindAll(".row-links").Count);
    }
}
