using System.Globalization;
using Microsoft.AspNetCore.Components;
using Monitor.Storage.Model.Reports;
using Monitor.Storage.Model.Snapshots;
using Monitor.Storage.Summaries;
using Monitor.Web.Common;
using Monitor.Web.Features.Packets;

namespace Monitor.Web.Components.Shared;

/// <summary>The sort a report table shows: a column and its direction.</summary>
public readonly record struct ReportSort(string Column, bool Descending);

/// <summary>
/// One top-N report as a table with sortable columns, addresses linked to their host page,
/// Ourmon's W / w flags, worm marks and the home-network side of each host.
/// </summary>
public sealed partial class ReportTable
{
    [Parameter, EditorRequired] public string Report { get; set; } = "";
    [Parameter] public IReadOnlyList<ReportRow> Rows { get; set; } = [];
    /// <summary>Column to sort on; defaults to the report's own sort (Ourmon's order).</summary>
    [Parameter] public string? SortBy { get; set; }
    [Parameter] public bool Descending { get; set; } = true;
    /// <summary>
    /// When given, each column header is a link to the page sorted by that column, so the sort lives in
    /// the URL and a header works before the page is interactive; otherwise headers sort in place.
    /// </summary>
    [Parameter] public Func<ReportSort, string>? SortHref { get; set; }
    [Parameter] public string Empty { get; set; } = "No rows in this period.";
    /// <summary>The window of the view the table is on: address links carry it, and byte counts get a bits/s column over it.</summary>
    [Parameter] public TimeRange? HostRange { get; set; }
    /// <summary>The probe of the view, carried by address links.</summary>
    [Parameter] public string? Probe { get; set; }
    /// <summary>Bytes of all traffic in the window: when known, the byte counts get a "% of total" column.</summary>
    [Parameter] public double? TotalBytes { get; set; }

    private string? _sort;
    private bool _descending = true;
    private string? _sortParameter;
    private bool _descendingParameter = true;

    private ReportInfo? Info => ReportCatalog.Find(Report);

    /// <summary>The columns of every row, in first-seen order; set with the rows.</summary>
    private IReadOnlyList<string> Columns { get; set; } = [];

    /// <summary>The rows in the shown order; set when the rows or the sort change, not on every render.</summary>
    private IReadOnlyList<ReportRow> Sorted { get; set; } = [];

    protected override void OnParametersSet()
    {
        if (SortBy != _sortParameter || Descending != _descendingParameter)
        {
            _sortParameter = SortBy;
            _descendingParameter = Descending;
            _sort = SortBy;
            _descending = Descending;
        }
        // lower_bound is shown on the figures it qualifies (≥), not as a column of its own.
        Columns = Rows.SelectMany(r => r.Fields.Select(f => f.Name)).Distinct().Where(c => c != TopAggregator.LowerBound).ToList();
        Sorted = Sort();
    }

    private IReadOnlyList<ReportRow> Sort()
    {
        var column = _sort ?? Info?.DefaultSort;
        if (column is null || !Columns.Contains(column)) return Rows;
        var numeric = Rows.All(r => r[column] is null or long or int or double or bool);
        IEnumerable<ReportRow> ordered = numeric
            ? (_descending ? Rows.OrderByDescending(r => r.Number(column)) : Rows.OrderBy(r => r.Number(column)))
            : (_descending
                ? Rows.OrderByDescending(r => r.Text(column), StringComparer.Ordinal)
                : Rows.OrderBy(r => r.Text(column), StringComparer.Ordinal));
        return ordered.ToList();
    }

    /// <summary>Sorting on the column shown sorted reverses it; any other column starts largest first.</summary>
    private ReportSort NextSort(string column) =>
        new(column, (_sort ?? Info?.DefaultSort) != column || !_descending);

    private void SortOn(string column)
    {
        (_sort, _descending) = NextSort(column);
        Sorted = Sort();
    }

    private string SortMark(string column) =>
        (_sort ?? Info?.DefaultSort) == column ? (_descending ? "▼" : "▲") : "";

    private string HeaderClass(string column) =>
        (_sort ?? Info?.DefaultSort) == column ? "sortable sorted" : "sortable";

    /// <summary>
    /// Whether rows get "Sessions" and "Packets" links: they need the window of the view (a row's counts are of that
    /// window, so its sessions and packets are too) and a row that names a conversation.
    /// </summary>
    private bool HasRowLinks => HostRange is { Length.TotalSeconds: > 0 } && Sorted.Any(r => RowFilter(r) is not null);

    /// <summary>
    /// The conversation a row names as <c>host A[ and host B][ and port P]</c> (the same text is a sessions filter and
    /// a BPF): its address fields, and the responder port of a TCP or UDP flow (<c>dport</c>) or the row's
    /// <c>port</c> (ports, services, port signatures); null when the row names no address and no port.
    /// </summary>
    internal string? RowFilter(ReportRow row)
    {
        var hosts = (Info?.HostFields ?? ["ip", "src", "dst"]).Select(f => row[f] as string).Where(h => h is { Length: > 0 }).Take(2).ToList();
        var proto = row.Text("proto");
        int? port = row["dport"] is not null && proto is "tcp" or "udp" ? (int)row.Number("dport")
            : row["port"] is not null && proto is "" or "tcp" or "udp" ? (int)row.Number("port")
            : null;
        var filter = PacketsLinks.Conversation(hosts.ElementAtOrDefault(0), hosts.ElementAtOrDefault(1), port);
        return filter.Length == 0 ? null : filter;
    }

    /// <summary>The columns derived from "bytes" (bits/s over the window, share of all traffic), when they can be computed.</summary>
    private IReadOnlyList<string> Derived(string column)
    {
        if (column != "bytes") return [];
        var derived = new List<string>(2);
        if (HostRange is { Length.TotalSeconds: > 0 }) derived.Add(BitsPerSecond);
        if (TotalBytes is > 0) derived.Add(PercentOfTotal);
        return derived;
    }

    internal const string BitsPerSecond = "bits_per_second";
    internal const string PercentOfTotal = "percent_of_total";

    private string DerivedCell(ReportRow row, string derived) => derived == BitsPerSecond
        ? Units.Format(row.Number("bytes") * 8 / HostRange!.Value.Length.TotalSeconds, "bits/s")
        : (row.Number("bytes") * 100 / TotalBytes!.Value).ToString("0.##", CultureInfo.InvariantCulture) + " %";

    private string DerivedValue(ReportRow row, string derived) => derived == BitsPerSecond
        ? (row.Number("bytes") * 8 / HostRange!.Value.Length.TotalSeconds).ToString("0.###", CultureInfo.InvariantCulture)
        : (row.Number("bytes") * 100 / TotalBytes!.Value).ToString("0.####", CultureInfo.InvariantCulture);

    /// <summary>A column's title as a person reads it; the field name stays in data-column and the API.</summary>
    internal static string Title(string column) => column switch
    {
        "ip" => "address",
        "src" => "source",
        "dst" => "destination",
        "sport" => "source port",
        "dport" => "destination port",
        "proto" => "protocol",
        "syn_sent" => "SYNs sent",
        "synack_sent" => "SYN-ACKs sent",
        "fin_sent" => "FINs sent",
        "rst_sent" => "RSTs sent",
        "rst_received" => "RSTs received",
        "tcp_sent" => "TCP packets sent",
        "tcp_received" => "TCP packets received",
        "sent" => "UDP packets sent",
        "received" => "UDP packets received",
        "icmp_errors_received" => "ICMP errors received",
        "distinct_tcp" => "distinct TCP destinations",
        "distinct_udp" => "distinct UDP destinations",
        "distinct_icmp" => "distinct ICMP destinations",
        "distinct_tcp_ports" => "distinct TCP ports",
        "distinct_udp_ports" => "distinct UDP ports",
        "work_weight" => "work weight (%)",
        BitsPerSecond => "bits/s",
        PercentOfTotal => "% of total",
        _ => column.Replace("_ab", " a→b", StringComparison.Ordinal).Replace("_ba", " b→a", StringComparison.Ordinal).Replace('_', ' '),
    };

    /// <summary>The raw value of a cell for the CSV export (invariant numbers, not the rounded display).</summary>
    private static string? RawValue(ReportRow row, string column) => row[column] switch
    {
        null => null,
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        var v => v.ToString(),
    };

    private static string RowClass(ReportRow row) =>
        row["worm"] is true || row["evil"] is true ? "worm" : row.Text("flag") == "W" ? "flag-w-high" : "";

    private string CellClass(ReportRow row, string column) => row[column] switch
    {
        long or int or double => "num",
        _ when IsHostField(column) && IsInside(row, column) => "host home",
        _ when IsHostField(column) => "host",
        _ => "",
    };

    private bool IsHostField(string column) => Info?.HostFields.Contains(column) ?? column is "ip" or "src" or "dst";

    /// <summary>Whether the report marks this host as inside the home network (ip_inside, src_inside, inside...).</summary>
    private static bool IsInside(ReportRow row, string column) =>
        row[$"{column}_inside"] is true || (column == "ip" && row["inside"] is true) || row[$"{column}_home"] is true;

    private RenderFragment Cell(ReportRow row, string column) => builder =>
    {
        var value = row[column];
        if (value is null) return;
        if (IsHostField(column) && value is string host && host.Length > 0)
        {
            builder.OpenElement(0, "a");
            builder.AddAttribute(1, "href", Links.Host(host, HostRange, Probe));
            builder.AddContent(2, host);
            builder.CloseElement();
            if (IsInside(row, column)) builder.AddContent(3, Badge("home", "home"));
            return;
        }
        switch (column, value)
        {
            case ("flag", string flag) when flag.Length > 0:
                builder.AddContent(10, Badge($"flag flag-{(flag == "W" ? "high" : "low")}", flag));
                return;
            case ("members", string members):
                // irc_channels: each member links to its host page (one region per member keeps sequence numbers literal).
                foreach (var member in members.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    builder.OpenRegion(50);
                    builder.OpenElement(0, "a");
                    builder.AddAttribute(1, "href", Links.Host(member, HostRange, Probe));
                    builder.AddAttribute(2, "class", "host");
                    builder.AddContent(3, member);
                    builder.CloseElement();
                    builder.AddContent(4, " ");
                    builder.CloseRegion();
                }
                return;
            case ("evil", bool evil):
                if (evil) builder.AddContent(21, Badge("worm-mark", "evil"));
                return;
            case ("worm", bool worm):
                if (worm) builder.AddContent(20, Badge("worm-mark", "worm"));
                return;
            case (_, bool b) when column.EndsWith("inside", StringComparison.Ordinal) || column.EndsWith("home", StringComparison.Ordinal):
                builder.AddContent(30, b ? "home" : "outside");
                return;
        }
        if (IsLowerBound(row, column))
        {
            builder.OpenElement(41, "span");
            builder.AddAttribute(42, "class", "lower-bound");
            builder.AddAttribute(43, "title", "At least: this host was below the top-N cut in some of the merged intervals, which are not counted");
            builder.AddContent(44, "≥ " + Display(column, value));
            builder.CloseElement();
            return;
        }
        builder.AddContent(40, Display(column, value));
    };

    /// <summary>A summed or unioned figure of a row the store marked as a lower bound over its range.</summary>
    private bool IsLowerBound(ReportRow row, string column) =>
        row[TopAggregator.LowerBound] is true && Info is { } info &&
        (info.SumFields.Contains(column) || column.StartsWith("distinct_", StringComparison.Ordinal));

    private static RenderFragment Badge(string cssClass, string text) => builder =>
    {
        builder.OpenElement(0, "span");
        builder.AddAttribute(1, "class", $"badge {cssClass}");
        builder.AddContent(2, text);
        builder.CloseElement();
    };

    internal static string Display(string column, object value) => value switch
    {
        long l when column.Contains("bytes", StringComparison.Ordinal) => Units.Bytes(l),
        long l => l.ToString("#,0", CultureInfo.InvariantCulture),
        int i => i.ToString("#,0", CultureInfo.InvariantCulture),
        double d when column.Contains("weight", StringComparison.Ordinal) && column != "work_weight" =>
            d.ToString("#,0", CultureInfo.InvariantCulture),
        double d => d.ToString("#,0.##", CultureInfo.InvariantCulture),
        bool b => b ? "yes" : "no",
        _ => value.ToString() ?? "",
    };
}
