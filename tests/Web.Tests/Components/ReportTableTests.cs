using Bunit;
using Monitor.Storage.Snapshots;
using Monitor.Web.Components.Shared;

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
