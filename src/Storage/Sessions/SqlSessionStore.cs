using System.Globalization;
using System.Net;
using System.Text;

namespace Monitor.Storage.Sessions;

/// <summary>
/// What DuckDB and ClickHouse share: one table of records (<c>sessions</c>) and the same SQL over it,
/// but for a few spellings (<see cref="BitOr"/>, <see cref="ArgMax"/>, <see cref="Page"/>, quoting).
/// Every value put in SQL is a number the filter parser produced or a quoted probe name, never raw text.
/// Addresses are two UInt64 halves (hi, lo), IPv4 as ::ffff:a.b.c.d; times are microseconds since 1970.
/// </summary>
public abstract class SqlSessionStore : ISessionStore
{
    private const string Keys = "probe, start_us, proto, src_hi, src_lo, sport, dst_hi, dst_lo, dport, vlan";

    protected abstract string BitOr(string column);
    protected abstract string ArgMax(string value, string by);
    protected abstract string Page(int offset, int limit);
    protected abstract string Quote(string text);

    /// <summary>Whether an <c>or</c> in a key-only filter runs as disjoint scans (<see cref="Branches"/>).</summary>
    protected virtual bool SplitsOr => true;

    /// <summary>
    /// Where the records a search with <paramref name="filter"/> needs are read: a table, and a condition on
    /// it (empty, or starting with " AND ") that narrows the read without changing what the filter matches.
    /// </summary>
    protected virtual (string Table, string Narrow) RecordSource(SessionFilter? filter) => ("sessions", "");

    /// <summary>Runs a query; each row's cells as the engine gives them (numbers, or text that parses as them).</summary>
    protected abstract Task<List<object?[]>> QueryAsync(string sql, CancellationToken cancellationToken);

    public abstract Task WriteAsync(string probe, IReadOnlyList<SessionRecord> records, CancellationToken cancellationToken = default);
    public abstract Task<long> PruneAsync(DateTimeOffset now, CancellationToken cancellationToken = default);
    public abstract ValueTask DisposeAsync();

    public static long Micros(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public static DateTimeOffset FromMicros(long micros) => new(DateTimeOffset.UnixEpoch.UtcTicks + micros * 10, TimeSpan.Zero);

    public async Task<SessionPage> SearchAsync(SessionQuery query, CancellationToken cancellationToken = default)
    {
        var keyOnly = query.Filter is { NeedsTotals: false };
        IReadOnlyList<string> branches = !keyOnly ? [] : SplitsOr ? Branches(query.Filter!) : [Condition(query.Filter!)];
        var inner = SessionsIn(query.From, query.To, query.Probe, branches, RecordSource(query.Filter));
        var outer = !keyOnly && query.Filter is not null ? $" WHERE {Condition(query.Filter)}" : "";
        var direction = query.Descending ? "DESC" : "ASC";
        var order = string.Join(", ", SortColumns(query.Sort).Select(c => $"{c} {direction}"));
        var rows = await QueryAsync(
            $"SELECT {Keys}, last_us, p_src, b_src, p_dst, b_dst, f_src, f_dst, st, i_type, i_code, n FROM ({inner}) s{outer} " +
            $"ORDER BY {order}, start_us, src_hi, src_lo, sport, dst_hi, dst_lo, dport, probe {Page(query.Offset, query.Limit)}",
            cancellationToken);
        var total = await QueryAsync($"SELECT count(*) FROM ({inner}) s{outer}", cancellationToken);
        var sessions = rows.Select(r => new StoredSession(
            Text(r[0]), FromMicros(Int(r[1])), FromMicros(Int(r[10])), (byte)Int(r[2]),
            new UInt128(UInt(r[3]), UInt(r[4])), (ushort)Int(r[5]), new UInt128(UInt(r[6]), UInt(r[7])), (ushort)Int(r[8]),
            Int(r[11]), Int(r[12]), Int(r[13]), Int(r[14]), (byte)Int(r[15]), (byte)Int(r[16]), (SessionState)Int(r[17]),
            (byte)Int(r[18]), (byte)Int(r[19]), (ushort)Int(r[9]), (int)Int(r[20]))).ToList();
        return new SessionPage(sessions, Int(total[0][0]));
    }

    public async Task<SessionReport> ReportAsync(CannedReportQuery query, CancellationToken cancellationToken = default)
    {
        if (!CannedReports.Titles.TryGetValue(query.Name, out var title))
            throw new ArgumentException($"no saved search '{query.Name}'; there are {string.Join(", ", CannedReports.Titles.Keys)}");
        var window = Window(query.From, query.To, query.Probe);
        var limit = Math.Clamp(query.Limit, 1, 10_000);
        var home = (string prefix) => Home(prefix, query.HomeNet);
        switch (query.Name)
        {
            case CannedReports.Downloads or CannedReports.Uploads:
            {
                var order = query.Name == CannedReports.Downloads ? "down_bytes" : "up_bytes";
                var rows = await QueryAsync(
                    "SELECT host_hi, host_lo, proto, service, sum(down) AS down_bytes, sum(up) AS up_bytes, sum(down_p) AS down_packets, sum(up_p) AS up_packets, count(*) AS n FROM (" +
                    $"SELECT src_hi AS host_hi, src_lo AS host_lo, proto, dport AS service, bytes_dst AS down, bytes_src AS up, packets_dst AS down_p, packets_src AS up_p FROM sessions WHERE {window} AND {home("src")} AND NOT {home("dst")} " +
                    "UNION ALL " +
                    $"SELECT dst_hi AS host_hi, dst_lo AS host_lo, proto, dport AS service, bytes_src AS down, bytes_dst AS up, packets_src AS down_p, packets_dst AS up_p FROM sessions WHERE {window} AND {home("dst")} AND NOT {home("src")}" +
                    $") t GROUP BY host_hi, host_lo, proto, service ORDER BY {order} DESC, host_hi, host_lo, proto, service {Page(0, limit)}",
                    cancellationToken);
                return new SessionReport(query.Name, title,
                    ["host", "service", "bytes_wan_to_lan", "bytes_lan_to_wan", "packets_wan_to_lan", "packets_lan_to_wan", "records"],
                    rows.Select(r => (IReadOnlyList<object>)
                    [
                        SessionAddress.ToText(new UInt128(UInt(r[0]), UInt(r[1]))), $"{SessionNames.Proto((byte)Int(r[2]))}/{Int(r[3])}",
                        Int(r[4]), Int(r[5]), Int(r[6]), Int(r[7]), Int(r[8]),
                    ]).ToList());
            }
            case CannedReports.IcmpLanToWan or CannedReports.SuspectIcmp:
            {
                var where = query.Name == CannedReports.IcmpLanToWan ? $"proto IN (1, 58) AND {home("src")} AND NOT {home("dst")}" : "proto IN (1, 58)";
                var having = query.Name == CannedReports.SuspectIcmp
                    ? " HAVING sum(p_src) > 0 AND sum(p_dst) > 0 AND sum(b_src) * sum(p_dst) != sum(b_dst) * sum(p_src)" : "";
                var rows = await QueryAsync(
                    "SELECT src_hi, src_lo, dst_hi, dst_lo, sum(p_src) AS ps, sum(b_src) AS bs, sum(p_dst) AS pd, sum(b_dst) AS bd, count(*) AS sessions, sum(last_us - start_us) AS micros " +
                    $"FROM ({SessionsIn(query.From, query.To, query.Probe, [where], RecordSource(null))}) s GROUP BY src_hi, src_lo, dst_hi, dst_lo{having} " +
                    $"ORDER BY sum(b_src) + sum(b_dst) DESC, src_hi, src_lo, dst_hi, dst_lo {Page(0, limit)}",
                    cancellationToken);
                return new SessionReport(query.Name, title,
                    ["src", "dst", "packets_src", "bytes_src", "avg_size_src", "packets_dst", "bytes_dst", "avg_size_dst", "sessions", "duration_s", "avg_duration_s"],
                    rows.Select(r =>
                    {
                        long ps = Int(r[4]), bs = Int(r[5]), pd = Int(r[6]), bd = Int(r[7]), n = Int(r[8]), micros = Int(r[9]);
                        // Ratios recomputed from the sums, never averaged averages.
                        return (IReadOnlyList<object>)
                        [
                            SessionAddress.ToText(new UInt128(UInt(r[0]), UInt(r[1]))), SessionAddress.ToText(new UInt128(UInt(r[2]), UInt(r[3]))),
                            ps, bs, ps == 0 ? 0.0 : (double)bs / ps, pd, bd, pd == 0 ? 0.0 : (double)bd / pd, n, micros / 1e6, n == 0 ? 0.0 : micros / 1e6 / n,
                        ];
                    }).ToList());
            }
            default:
            {
                var rows = await QueryAsync(
                    "SELECT src_hi, src_lo, dst_hi, dst_lo, sum(bytes_src) AS bs, sum(bytes_dst) AS bd, sum(packets_src) + sum(packets_dst) AS p, count(*) AS n " +
                    $"FROM sessions WHERE {window} GROUP BY src_hi, src_lo, dst_hi, dst_lo ORDER BY sum(bytes_src) + sum(bytes_dst) DESC, src_hi, src_lo, dst_hi, dst_lo {Page(0, limit)}",
                    cancellationToken);
                return new SessionReport(query.Name, title, ["src", "dst", "bytes", "bytes_src", "bytes_dst", "packets", "records"],
                    rows.Select(r => (IReadOnlyList<object>)
                    [
                        SessionAddress.ToText(new UInt128(UInt(r[0]), UInt(r[1]))), SessionAddress.ToText(new UInt128(UInt(r[2]), UInt(r[3]))),
                        Int(r[4]) + Int(r[5]), Int(r[4]), Int(r[5]), Int(r[6]), Int(r[7]),
                    ]).ToList());
            }
        }
    }

    /// <summary>Records of the window: those that end in it (so status records count where their packets were).</summary>
    private string Window(DateTimeOffset from, DateTimeOffset to, string? probe) =>
        $"end_us >= {Micros(from)} AND end_us < {Micros(to)}" + (probe is null ? "" : $" AND probe = {Quote(probe)}");

    /// <summary>
    /// Sessions with a record in the window, each summed over those records; the records are those of the
    /// window that meet any of <paramref name="branches"/> (conditions that exclude each other, see
    /// <see cref="Branches"/>), or all of them when there are none.
    /// </summary>
    private string SessionsIn(DateTimeOffset from, DateTimeOffset to, string? probe, IReadOnlyList<string> branches, (string Table, string Narrow) source)
    {
        var window = Window(from, to, probe) + source.Narrow;
        var table = source.Table;
        var records = branches.Count switch
        {
            0 => $"{table} WHERE {window}",
            1 => $"{table} WHERE {window} AND ({branches[0]})",
            _ => "(" + string.Join(" UNION ALL ", branches.Select(b => $"SELECT {RecordColumns} FROM {table} WHERE {window} AND {b}")) + ") r",
        };
        return $"SELECT {Keys}, max(end_us) AS last_us, sum(packets_src) AS p_src, sum(bytes_src) AS b_src, sum(packets_dst) AS p_dst, sum(bytes_dst) AS b_dst, " +
            $"{BitOr("flags_src")} AS f_src, {BitOr("flags_dst")} AS f_dst, {ArgMax("state", "end_us")} AS st, min(icmp_type) AS i_type, min(icmp_code) AS i_code, count(*) AS n " +
            $"FROM {records} GROUP BY {Keys}";
    }

    private const string RecordColumns = Keys + ", end_us, packets_src, bytes_src, packets_dst, bytes_dst, flags_src, flags_dst, state, icmp_type, icmp_code";

    /// <summary>At most this many scans for one filter; past it the filter is checked as one condition.</summary>
    private const int MaxBranches = 4;

    /// <summary>
    /// A key-only filter as conditions that exclude each other and together select what it does: each side
    /// of an <c>or</c> (and of a term on either end, <c>host A</c> = <c>src host A or dst host A</c>) is a
    /// branch, a later one excluding the earlier ones (<c>dst host A and not src host A</c>), so a record
    /// that meets both is read once. Why: each branch is then an <c>and</c> of column-against-constant terms,
    /// which DuckDB checks in the scan on those columns alone, reading the other columns only where they
    /// match; an <c>or</c> across columns it checks only after reading every column of every record in the
    /// window (measured: 20 million records, one host, 0.5–1.1 s as one condition, 0.15–0.25 s as two branches).
    /// </summary>
    private static List<string> Branches(SessionFilter filter)
    {
        var branches = filter switch
        {
            SessionFilter.Or o => Disjoint(o.Left, o.Right),
            SessionFilter.Host { Direction: Direction.Either } h => Disjoint(h with { Direction = Direction.Src }, h with { Direction = Direction.Dst }),
            SessionFilter.Net { Direction: Direction.Either } n => Disjoint(n with { Direction = Direction.Src }, n with { Direction = Direction.Dst }),
            SessionFilter.Port { Direction: Direction.Either } p => Disjoint(p with { Direction = Direction.Src }, p with { Direction = Direction.Dst }),
            SessionFilter.And a => (from l in Branches(a.Left) from r in Branches(a.Right) select $"({l} AND {r})").ToList(),
            _ => [Condition(filter)],
        };
        return branches.Count <= MaxBranches ? branches : [Condition(filter)];
    }

    private static List<string> Disjoint(SessionFilter first, SessionFilter second)
    {
        var notFirst = $"NOT ({Condition(first)})";
        return [.. Branches(first), .. Branches(second).Select(b => $"({b} AND {notFirst})")];
    }

    private static IEnumerable<string> SortColumns(SessionSort sort) => sort switch
    {
        SessionSort.End => ["last_us"],
        SessionSort.Duration => ["(last_us - start_us)"],
        SessionSort.Packets => ["(p_src + p_dst)"],
        SessionSort.Bytes => ["(b_src + b_dst)"],
        SessionSort.Src => ["src_hi", "src_lo"],
        SessionSort.Dst => ["dst_hi", "dst_lo"],
        SessionSort.Sport => ["sport"],
        SessionSort.Dport => ["dport"],
        SessionSort.Proto => ["proto"],
        SessionSort.State => ["st"],
        _ => ["start_us"],
    };

    /// <summary>The filter as SQL over the summed sessions; key terms read the same on the records.</summary>
    private static string Condition(SessionFilter filter) => filter switch
    {
        SessionFilter.Or o => $"({Condition(o.Left)} OR {Condition(o.Right)})",
        SessionFilter.And a => $"({Condition(a.Left)} AND {Condition(a.Right)})",
        SessionFilter.Not n => $"(NOT {Condition(n.Inner)})",
        SessionFilter.Host h => Either(h.Direction, p => $"({p}_hi = {(ulong)(h.Address >> 64)} AND {p}_lo = {(ulong)h.Address})"),
        SessionFilter.Net n => Either(n.Direction, p => InRange(p, n.First, n.Last)),
        SessionFilter.Port p => p.Direction switch
        {
            Direction.Src => $"sport = {p.Number}",
            Direction.Dst => $"dport = {p.Number}",
            _ => $"(sport = {p.Number} OR dport = {p.Number})",
        },
        SessionFilter.Proto p => $"proto = {p.Number}",
        SessionFilter.State s => $"st = {(int)s.Value}",
        SessionFilter.Compare c => $"{Measured(c.Measure)} {Operator(c.Comparison)} {Number(c.Measure == Measure.Duration ? c.Value * 1e6 : c.Value)}",
        _ => throw new ArgumentException($"unknown filter term {filter}"),
    };

    private static string Either(Direction direction, Func<string, string> term) => direction switch
    {
        Direction.Src => term("src"),
        Direction.Dst => term("dst"),
        _ => $"({term("src")} OR {term("dst")})",
    };

    private static string InRange(string prefix, UInt128 first, UInt128 last)
    {
        ulong fh = (ulong)(first >> 64), fl = (ulong)first, lh = (ulong)(last >> 64), ll = (ulong)last;
        if (fh == lh) return $"({prefix}_hi = {fh} AND {prefix}_lo BETWEEN {fl} AND {ll})";
        // Prefixes of 64 bits or less cover whole low halves.
        return $"({prefix}_hi BETWEEN {fh} AND {lh})";
    }

    private static string Home(string prefix, IReadOnlyList<IPNetwork> homeNet)
    {
        if (homeNet.Count == 0) return "(1 = 0)";
        return "(" + string.Join(" OR ", homeNet.Select(n =>
        {
            var (first, last) = SessionAddress.Range(n);
            return InRange(prefix, first, last);
        })) + ")";
    }

    private static string Measured(Measure measure) => measure switch
    {
        Measure.Bytes => "(b_src + b_dst)",
        Measure.Packets => "(p_src + p_dst)",
        _ => "(last_us - start_us)",
    };

    private static string Operator(Comparison comparison) => comparison switch
    {
        Comparison.Greater => ">",
        Comparison.GreaterOrEqual => ">=",
        Comparison.Less => "<",
        Comparison.LessOrEqual => "<=",
        Comparison.Equal => "=",
        _ => "!=",
    };

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    protected static long Int(object? value) => value switch
    {
        null => 0,
        string s => long.Parse(s, CultureInfo.InvariantCulture),
        System.Numerics.BigInteger b => (long)b,
        _ => Convert.ToInt64(value, CultureInfo.InvariantCulture),
    };

    protected static ulong UInt(object? value) => value switch
    {
        null => 0,
        string s => ulong.Parse(s, CultureInfo.InvariantCulture),
        System.Numerics.BigInteger b => (ulong)b,
        _ => Convert.ToUInt64(value, CultureInfo.InvariantCulture),
    };

    protected static string Text(object? value) => value?.ToString() ?? "";

    /// <summary>The table's columns in write order, for both engines.</summary>
    protected static readonly string[] Columns =
    [
        "probe", "start_us", "end_us", "proto", "src_hi", "src_lo", "sport", "dst_hi", "dst_lo", "dport",
        "packets_src", "bytes_src", "packets_dst", "bytes_dst", "flags_src", "flags_dst", "state", "icmp_type", "icmp_code", "vlan", "reason",
    ];

    protected static void AppendTsv(StringBuilder line, string probeEscaped, in SessionRecord r)
    {
        var c = CultureInfo.InvariantCulture;
        line.Append(probeEscaped).Append('\t')
            .Append(Micros(r.Start).ToString(c)).Append('\t').Append(Micros(r.End).ToString(c)).Append('\t')
            .Append(r.Proto.ToString(c)).Append('\t')
            .Append(((ulong)(r.Src >> 64)).ToString(c)).Append('\t').Append(((ulong)r.Src).ToString(c)).Append('\t').Append(r.SrcPort.ToString(c)).Append('\t')
            .Append(((ulong)(r.Dst >> 64)).ToString(c)).Append('\t').Append(((ulong)r.Dst).ToString(c)).Append('\t').Append(r.DstPort.ToString(c)).Append('\t')
            .Append(r.PacketsSrc.ToString(c)).Append('\t').Append(r.BytesSrc.ToString(c)).Append('\t')
            .Append(r.PacketsDst.ToString(c)).Append('\t').Append(r.BytesDst.ToString(c)).Append('\t')
            .Append(r.FlagsSrc.ToString(c)).Append('\t').Append(r.FlagsDst.ToString(c)).Append('\t')
            .Append(((int)r.State).ToString(c)).Append('\t').Append(r.IcmpType.ToString(c)).Append('\t').Append(r.IcmpCode.ToString(c)).Append('\t')
            .Append(r.Vlan.ToString(c)).Append('\t').Append(((int)r.Reason).ToString(c)).Append('\n');
    }
}
