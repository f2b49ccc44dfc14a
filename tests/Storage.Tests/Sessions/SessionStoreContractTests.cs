using System.Net;
using Monitor.Storage.Sessions;

namespace Monitor.Storage.Tests.Sessions;

/// <summary>What every session store must do, run against a real DuckDB file and a real ClickHouse server.</summary>
public abstract class SessionStoreContractTests
{
    protected static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly IReadOnlyList<IPNetwork> HomeNet = [IPNetwork.Parse("10.0.0.0/8")];

    protected abstract Task<ISessionStore> CreateStoreAsync(SessionStoreOptions? options = null);

    private static SessionRecord Record(string src, ushort sport, string dst, ushort dport, byte proto, double start, double end,
        long ps, long bs, long pd, long bd, SessionState state = SessionState.SF, SessionEnd reason = SessionEnd.Closed, byte type = 0) =>
        new(T0.AddSeconds(start), T0.AddSeconds(end), proto, SessionAddress.Parse(src), sport, SessionAddress.Parse(dst), dport,
            ps, bs, pd, bd, (byte)(proto == 6 ? 0x13 : 0), (byte)(proto == 6 ? 0x12 : 0), state, type, 0, 0, reason);

    /// <summary>A small day: a download seen as a status record and its last record, DNS, pings (one suspect), a rejected scan, IPv6.</summary>
    private static readonly SessionRecord[] Day =
    [
        Record("10.0.0.5", 40000, "203.0.113.66", 443, 6, 10, 15, 5, 400, 20, 30000, SessionState.S1, SessionEnd.Open),
        Record("10.0.0.5", 40000, "203.0.113.66", 443, 6, 10, 20, 5, 600, 15, 20000),
        Record("10.0.0.6", 5353, "8.8.8.8", 53, 17, 30, 30.5, 1, 80, 1, 200),
        Record("10.0.0.5", 8, "198.51.100.1", 0, 1, 40, 49, 10, 980, 10, 980, type: 8),
        Record("10.0.0.7", 8, "198.51.100.2", 0, 1, 50, 52, 10, 10000, 10, 980, type: 8),
        Record("198.51.100.9", 50000, "10.0.0.5", 22, 6, 60, 60, 1, 60, 0, 0, SessionState.S0, SessionEnd.Idle),
        Record("2001:db8::1", 1234, "2001:db8:1::2", 80, 6, 70, 75, 4, 300, 3, 4000),
    ];

    private async Task<ISessionStore> WithDayAsync()
    {
        var store = await CreateStoreAsync();
        await store.WriteAsync("p1", Day);
        await store.WriteAsync("p2", [Record("10.0.0.9", 1000, "192.0.2.1", 80, 6, 80, 81, 2, 100, 2, 100)]);
        return store;
    }

    private static SessionQuery All(string? filter = null) =>
        new(T0, T0.AddDays(1), SessionFilter.Parse(filter), Limit: 1000);

    [Fact]
    public async Task A_sessions_status_record_and_last_record_are_one_session_with_their_counts_summed()
    {
        await using var store = await WithDayAsync();
        var page = await store.SearchAsync(All("port 443"));
        var s = Assert.Single(page.Sessions);
        Assert.Equal((10L, 1000L, 35L, 50000L), (s.PacketsSrc, s.BytesSrc, s.PacketsDst, s.BytesDst));
        Assert.Equal((T0.AddSeconds(10), T0.AddSeconds(20)), (s.Start, s.End));
        Assert.Equal(SessionState.SF, s.State);
        Assert.Equal(2, s.Records);
        Assert.Equal(("p1", SessionAddress.Parse("10.0.0.5"), (ushort)443), (s.Probe, s.Src, s.DstPort));
    }

    [Theory]
    [InlineData("host 10.0.0.5", 3)]
    [InlineData("src host 10.0.0.5", 2)]
    [InlineData("dst host 10.0.0.5", 1)]
    [InlineData("net 198.51.100.0/24", 3)]
    [InlineData("dst net 198.51.100.0/24", 2)]
    [InlineData("net 2001:db8::/32", 1)]
    [InlineData("tcp and not port 443", 3)]
    [InlineData("udp or icmp", 3)]
    [InlineData("bytes > 10000", 2)]
    [InlineData("duration > 5", 2)]
    [InlineData("state S0", 1)]
    [InlineData("tcp and (port 22 or port 80) and not state S0", 2)]
    [InlineData("packets >= 20 and icmp", 2)]
    public async Task The_filter_selects_the_sessions_it_names(string filter, int expected)
    {
        await using var store = await WithDayAsync();
        var page = await store.SearchAsync(All(filter));
        Assert.Equal(expected, page.Sessions.Count);
        Assert.Equal(expected, page.Total);
    }

    [Theory]
    [InlineData("host 10.0.0.5", 4)]
    [InlineData("port 5000", 1)]
    [InlineData("net 10.0.0.0/8", 7)]
    [InlineData("host 10.0.0.5 or host 203.0.113.66", 4)]
    [InlineData("host 10.0.0.5 or port 443", 4)]
    [InlineData("host 10.0.0.5 and (port 443 or port 22)", 2)]
    [InlineData("(host 10.0.0.5 or host 10.0.0.6) and (port 443 or port 53 or port 5000)", 3)]
    [InlineData("not host 10.0.0.5 and (udp or icmp)", 2)]
    public async Task A_record_meeting_a_filter_on_both_ends_or_on_both_sides_of_an_or_counts_once(string filter, int expected)
    {
        await using var store = await WithDayAsync();
        // A host talking to itself: both ends match "host 10.0.0.5", both ports "port 5000".
        await store.WriteAsync("p1", [Record("10.0.0.5", 5000, "10.0.0.5", 5000, 17, 90, 91, 3, 300, 2, 200)]);
        var page = await store.SearchAsync(All(filter));
        Assert.Equal(expected, page.Total);
        Assert.Equal(expected, page.Sessions.Count);
        Assert.Equal(page.Sessions.Count, page.Sessions.Distinct().Count());
        Assert.All(page.Sessions, s => Assert.Equal(s.DstPort == 443 ? 2 : 1, s.Records));
        var self = page.Sessions.Where(s => s.Src == s.Dst).ToList();
        Assert.All(self, s => Assert.Equal((5L, 500L), (s.Packets, s.Bytes)));
    }

    [Fact]
    public async Task Sessions_sort_by_any_column_and_page_with_the_total_of_the_whole_result()
    {
        await using var store = await WithDayAsync();
        var first = await store.SearchAsync(All() with { Sort = SessionSort.Bytes, Descending = true, Limit = 3 });
        var second = await store.SearchAsync(All() with { Sort = SessionSort.Bytes, Descending = true, Offset = 3, Limit = 3 });
        Assert.Equal(7, first.Total);
        Assert.Equal(7, second.Total);
        var bytes = first.Sessions.Concat(second.Sessions).Select(s => s.Bytes).ToList();
        Assert.Equal([51000, 10980, 4300, 1960, 280, 200], bytes);
        var bySrc = await store.SearchAsync(All() with { Sort = SessionSort.Duration });
        Assert.Equal(bySrc.Sessions.Select(s => s.Duration).Order(), bySrc.Sessions.Select(s => s.Duration));
    }

    [Fact]
    public async Task A_window_holds_the_sessions_with_a_record_ending_in_it_and_a_probe_only_its_own()
    {
        await using var store = await WithDayAsync();
        var window = await store.SearchAsync(new SessionQuery(T0.AddSeconds(16), T0.AddSeconds(45)));
        // The download's last record (ended at 20 s) and DNS; the download counts only its last record.
        Assert.Equal(2, window.Total);
        Assert.Equal(600, window.Sessions.Single(s => s.DstPort == 443).BytesSrc);
        var p2 = await store.SearchAsync(All() with { Probe = "p2" });
        Assert.Equal("p2", Assert.Single(p2.Sessions).Probe);
    }

    [Fact]
    public async Task Downloads_and_uploads_are_summed_per_home_net_host_and_service()
    {
        await using var store = await WithDayAsync();
        var down = await store.ReportAsync(new CannedReportQuery(CannedReports.Downloads, T0, T0.AddDays(1), HomeNet));
        Assert.Equal(["10.0.0.5", "tcp/443", 50000L, 1000L], down.Rows[0].Take(4));
        // The WAN-initiated connection counts for the home host it reached.
        Assert.Contains(down.Rows, r => (string)r[0] == "10.0.0.5" && (string)r[1] == "tcp/22" && (long)r[2] == 60L);
        var up = await store.ReportAsync(new CannedReportQuery(CannedReports.Uploads, T0, T0.AddDays(1), HomeNet));
        Assert.Equal(["10.0.0.7", "icmp/0"], up.Rows[0].Take(2));
    }

    [Fact]
    public async Task Icmp_lan_to_wan_gives_volume_average_sizes_and_durations_and_suspect_icmp_the_unequal_ones()
    {
        await using var store = await WithDayAsync();
        var icmp = await store.ReportAsync(new CannedReportQuery(CannedReports.IcmpLanToWan, T0, T0.AddDays(1), HomeNet));
        Assert.Equal(2, icmp.Rows.Count);
        var top = icmp.Rows[0];
        Assert.Equal(["10.0.0.7", "198.51.100.2", 10L, 10000L, 1000.0, 10L, 980L, 98.0, 1L, 2.0, 2.0], top);
        var suspect = await store.ReportAsync(new CannedReportQuery(CannedReports.SuspectIcmp, T0, T0.AddDays(1), HomeNet));
        Assert.Equal("10.0.0.7", Assert.Single(suspect.Rows)[0]);
    }

    [Fact]
    public async Task Top_conversations_rank_address_pairs_by_bytes_over_the_window()
    {
        await using var store = await WithDayAsync();
        var top = await store.ReportAsync(new CannedReportQuery(CannedReports.TopConversations, T0, T0.AddDays(1), HomeNet, Limit: 2));
        Assert.Equal(2, top.Rows.Count);
        Assert.Equal(["10.0.0.5", "203.0.113.66", 51000L], top.Rows[0].Take(3));
    }

    [Fact]
    public async Task Pruning_deletes_the_records_older_than_the_age_bound_and_keeps_the_rest()
    {
        await using var store = await CreateStoreAsync(new SessionStoreOptions { MaxAgeDays = 7 });
        await store.WriteAsync("p1", [Record("10.0.0.1", 1, "10.0.0.2", 2, 17, -10 * 86400, -10 * 86400 + 1, 1, 10, 0, 0)]);
        await store.WriteAsync("p1", [Record("10.0.0.1", 1, "10.0.0.2", 2, 17, 0, 1, 1, 10, 0, 0)]);
        await store.PruneAsync(T0);
        var left = await store.SearchAsync(new SessionQuery(T0.AddDays(-30), T0.AddDays(1)));
        Assert.Equal(T0, Assert.Single(left.Sessions).Start);
    }

    [Fact]
    public async Task A_batch_of_many_records_is_written_whole()
    {
        await using var store = await CreateStoreAsync();
        var batch = Enumerable.Range(0, 20_000)
            .Select(i => Record($"10.1.{i >> 8 & 255}.{i & 255}", (ushort)(1024 + i % 60000), "192.0.2.80", 80, 6, i * 0.01, i * 0.01 + 1, 3, 180, 2, 120))
            .ToList();
        await store.WriteAsync("p1", batch);
        var page = await store.SearchAsync(All("dst host 192.0.2.80") with { Limit = 1 });
        Assert.Equal(20_000, page.Total);
    }
}
