using Monitor.Storage.Queries;
using Monitor.Storage.Reports;
using Monitor.Storage.Snapshots;

namespace Monitor.Storage.Summaries;

/// <summary>
/// Merges report rows of many intervals (or many summaries, or many probes) into one top-N, generically
/// from <see cref="ReportInfo"/>: rows with equal key fields are one row; SumFields add up; MaxFields and
/// any other number keep the maximum (ratios such as work_weight are not additive); strings keep the
/// latest value; booleans are true if any row was.
/// </summary>
public sealed class TopAggregator(ReportInfo report)
{
    private readonly Dictionary<string, List<ReportField>> _rows = new(StringComparer.Ordinal);
    private readonly HashSet<string> _sum = [.. report.SumFields];

    public int Count => _rows.Count;

    public void Add(ReportRow row)
    {
        var key = Key(row);
        if (!_rows.TryGetValue(key, out var merged))
        {
            _rows[key] = [.. row.Fields];
            return;
        }
        foreach (var field in row.Fields)
        {
            var index = merged.FindIndex(f => f.Name == field.Name);
            if (index < 0) { merged.Add(field); continue; }
            merged[index] = new ReportField(field.Name, Merge(field.Name, merged[index].Value, field.Value));
        }
    }

    public void AddRange(IEnumerable<ReportRow> rows)
    {
        foreach (var row in rows) Add(row);
    }

    /// <summary>The merged rows sorted by sortBy (default: the report's), largest first, at most n.</summary>
    public IReadOnlyList<ReportRow> Top(int n, string? sortBy)
    {
        var sort = string.IsNullOrWhiteSpace(sortBy) ? report.DefaultSort : sortBy;
        var rows = _rows.Values.Select(f => new ReportRow(f)).ToList();
        if (rows.Count > 0 && !rows.Any(r => r[sort] is not null))
            throw new StoreQueryException($"report '{report.Name}' has no field '{sort}' to sort by");
        var sorted = rows.Count > 0 && rows.All(r => r[sort] is string)
            ? rows.OrderBy(r => r.Text(sort), StringComparer.Ordinal)
            : rows.OrderByDescending(r => r.Number(sort));
        return sorted.ThenBy(Key, StringComparer.Ordinal).Take(n).ToList();
    }

    /// <summary>
    /// What a summary keeps: the union of the top n by every sortable field, so that a later merge of
    /// summaries sorted by any of them is still right for rows that mattered in any period.
    /// </summary>
    public IReadOnlyList<ReportRow> TopByEach(int n)
    {
        var keep = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in report.SumFields.Concat(report.MaxFields).Append(report.DefaultSort).Distinct())
            foreach (var (key, _) in _rows
                .Where(kv => kv.Value.Exists(f => f.Name == field))
                .OrderByDescending(kv => new ReportRow(kv.Value).Number(field))
                .Take(n))
                keep.Add(key);
        if (keep.Count == 0)
            foreach (var key in _rows.Keys.Order(StringComparer.Ordinal).Take(n)) keep.Add(key);
        return keep.Order(StringComparer.Ordinal).Select(k => new ReportRow(_rows[k])).ToList();
    }

    public static bool Mentions(ReportInfo report, ReportRow row, string host)
    {
        foreach (var field in report.HostFields)
            if (string.Equals(row.Text(field), host, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>The addresses a row mentions, space-delimited with a space on either end, for substring filtering in SQL.</summary>
    public static string HostText(ReportInfo report, IEnumerable<ReportRow> rows)
    {
        var hosts = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var row in rows)
            foreach (var field in report.HostFields)
            {
                var text = row.Text(field);
                if (text.Length > 0) hosts.Add(text.ToLowerInvariant());
            }
        return hosts.Count == 0 ? "" : " " + string.Join(' ', hosts) + " ";
    }

    private string Key(ReportRow row) => string.Join('\u001f', report.KeyFields.Select(row.Text));

    private object Merge(string name, object current, object next) => (current, next) switch
    {
        (long a, long b) => _sum.Contains(name) ? a + b : Math.Max(a, b),
        (bool a, bool b) => a || b,
        (string, string b) => b,
        (IConvertible a, IConvertible b) when IsNumber(a) && IsNumber(b) =>
            _sum.Contains(name) ? a.ToDouble(null) + b.ToDouble(null) : Math.Max(a.ToDouble(null), b.ToDouble(null)),
        _ => next,
    };

    private static bool IsNumber(object value) => value is long or int or double;
}
