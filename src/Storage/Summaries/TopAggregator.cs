using Monitor.Storage.Model.Queries;
using Monitor.Storage.Model.Reports;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Storage.Summaries;

/// <summary>
/// Merges report lists of many intervals (or many summaries, or many probes) into one top-N, generically from
/// <see cref="ReportInfo"/>: rows with equal key fields are one row; SumFields add up; MinFields keep the least,
/// MaxFields and other numbers the largest; MeanFields are weighted means; UnionFields are the size of the union of
/// the stored sets; the report's derived figures (work_weight, UDP weight) are recomputed from the merged sums;
/// strings keep the latest value; booleans are true if any row was.
/// A row that was missing from one of the merged lists (below that interval's top-N cut, or in no summary) or that
/// was itself such a merge gets <c>lower_bound</c> = true: its sums and unions count only the lists it was in.
/// </summary>
public sealed class TopAggregator(ReportInfo report)
{
    /// <summary>Row field (JSON contract): true when the row's sums and distinct counts are lower bounds.</summary>
    public const string LowerBound = "lower_bound";

    /// <summary>Suffix of the stored set behind a union field (<c>distinct_tcp_set</c>), never shown.</summary>
    public const string SetSuffix = "_set";

    private const string Estimated = "estimated";

    private sealed class Merged(List<ReportField> fields)
    {
        public readonly List<ReportField> Fields = fields;
        public int Rows = 1;
        public int Lists = 1;
        public int LastList;
        public bool LowerBound;
        public Dictionary<string, DistinctUnion?>? Sets;
    }

    private readonly Dictionary<string, Merged> _rows = new(StringComparer.Ordinal);
    private readonly HashSet<string> _sum = [.. report.SumFields];
    private readonly HashSet<string> _min = [.. report.MinFields];
    private readonly HashSet<string> _list = [.. report.ListFields];

    /// <summary>The order of the probe's application flag letters (BitTorrent, Gnutella, Kazaa, IRC, TLS, SSH).</summary>
    public const string FlagOrder = "BGKITS";

    /// <summary>Most entries a merged list field keeps (a channel's members, a host's channels).</summary>
    public const int MaxListEntries = 64;
    private int _lists;

    public int Count => _rows.Count;

    /// <summary>Adds one list (an interval's report, or a summary): a row absent from it is a lower bound from then on.</summary>
    public void AddRange(IEnumerable<ReportRow> rows)
    {
        _lists++;
        foreach (var row in rows) Add(row);
    }

    private void Add(ReportRow row)
    {
        var key = Key(row);
        if (!_rows.TryGetValue(key, out var merged))
        {
            _rows[key] = merged = new Merged([.. row.Fields.Where(f => !IsSet(f.Name) && f.Name != LowerBound)]) { LastList = _lists };
            merged.LowerBound = row[LowerBound] is true;
            if (report.UnionFields.Count > 0)
            {
                merged.Sets = new Dictionary<string, DistinctUnion?>(StringComparer.Ordinal);
                foreach (var field in report.UnionFields) merged.Sets[field] = Parse(row, field, null);
            }
            return;
        }
        merged.Rows++;
        if (merged.LastList != _lists)
        {
            merged.Lists++;
            merged.LastList = _lists;
        }
        merged.LowerBound |= row[LowerBound] is true;
        if (merged.Sets is { } sets)
            foreach (var field in report.UnionFields) sets[field] = Parse(row, field, sets[field]);
        var before = new ReportRow([.. merged.Fields]);
        foreach (var field in row.Fields)
        {
            if (IsSet(field.Name) || field.Name == LowerBound) continue;
            var index = merged.Fields.FindIndex(f => f.Name == field.Name);
            if (index < 0) { merged.Fields.Add(field); continue; }
            merged.Fields[index] = new ReportField(field.Name, Merge(field.Name, merged.Fields[index].Value, field.Value, before, row));
        }
    }

    /// <summary>The merged rows in the report's order (see <see cref="ReportInfo.OrderFor"/>), at most n, without stored sets.</summary>
    public IReadOnlyList<ReportRow> Top(int n, string? sortBy)
    {
        var order = report.OrderFor(sortBy);
        var rows = _rows.Select(kv => (kv.Key, Row: Finish(kv.Value, withSets: false))).ToList();
        if (rows.Count > 0 && !rows.Any(r => r.Row[order[0]] is not null))
            throw new StoreQueryException($"report '{report.Name}' has no field '{order[0]}' to sort by");
        return Ordered(rows, order).Take(n).Select(r => r.Row).ToList();
    }

    /// <summary>
    /// What a summary keeps: the union of the top n by every sortable field, so that a later merge of
    /// summaries sorted by any of them is still right for rows that mattered in any period; with their sets.
    /// </summary>
    public IReadOnlyList<ReportRow> TopByEach(int n)
    {
        var rows = _rows.Select(kv => (kv.Key, Row: Finish(kv.Value, withSets: true))).ToList();
        var keep = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in report.SumFields.Concat(report.MaxFields).Concat(report.UnionFields).Append(report.DefaultSort).Distinct())
            foreach (var (key, _) in Ordered(rows.Where(r => r.Row[field] is not null), report.OrderFor(field)).Take(n))
                keep.Add(key);
        if (keep.Count == 0)
            foreach (var key in _rows.Keys.Order(StringComparer.Ordinal).Take(n)) keep.Add(key);
        return rows.Where(r => keep.Contains(r.Key)).OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => r.Row).ToList();
    }

    /// <summary>The row without the stored sets of its distinct counts (as shown anywhere but in a merge).</summary>
    public static ReportRow WithoutSets(ReportRow row) =>
        row.Fields.Any(f => f.Name.EndsWith(SetSuffix, StringComparison.Ordinal))
            ? new ReportRow([.. row.Fields.Where(f => !f.Name.EndsWith(SetSuffix, StringComparison.Ordinal))])
            : row;

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

    /// <summary>Largest first by each field of the chain (text: smallest first), then by key for stable ties.</summary>
    private static IEnumerable<(string Key, ReportRow Row)> Ordered(IEnumerable<(string Key, ReportRow Row)> rows, IReadOnlyList<string> order)
    {
        var list = rows.ToList();
        IOrderedEnumerable<(string Key, ReportRow Row)>? sorted = null;
        foreach (var field in order)
        {
            var text = list.Count > 0 && list.All(r => r.Row[field] is string or null) && list.Any(r => r.Row[field] is string);
            sorted = (sorted, text) switch
            {
                (null, true) => list.OrderBy(r => r.Row.Text(field), StringComparer.Ordinal),
                (null, false) => list.OrderByDescending(r => r.Row.Number(field)),
                (_, true) => sorted.ThenBy(r => r.Row.Text(field), StringComparer.Ordinal),
                _ => sorted.ThenByDescending(r => r.Row.Number(field)),
            };
        }
        return sorted is null ? list.OrderBy(r => r.Key, StringComparer.Ordinal) : sorted.ThenBy(r => r.Key, StringComparer.Ordinal);
    }

    /// <summary>The merged row: unions and derived figures filled in, lower_bound added when true, sets when kept.</summary>
    private ReportRow Finish(Merged merged, bool withSets)
    {
        var fields = new List<ReportField>(merged.Fields);
        var lowerBound = merged.LowerBound || merged.Lists < _lists;
        if (merged.Sets is { } sets)
        {
            foreach (var (name, set) in sets)
            {
                if (set is null)
                {
                    // No stored set (data from before sets were kept): the largest interval's count, a lower bound.
                    if (merged.Rows > 1) lowerBound = true;
                    continue;
                }
                if (merged.Rows > 1)
                {
                    Set(fields, name, set.Count);
                    if (set.IsEstimated) Set(fields, Estimated, true);
                }
                if (withSets) fields.Add(new ReportField(name + SetSuffix, set.ToText()));
            }
        }
        if (merged.Rows > 1 && report.Derive is { } derive)
            foreach (var field in derive(new ReportRow(fields))) Set(fields, field.Name, field.Value);
        if (lowerBound) fields.Add(new ReportField(LowerBound, true));
        return new ReportRow(fields);
    }

    private static void Set(List<ReportField> fields, string name, object value)
    {
        var index = fields.FindIndex(f => f.Name == name);
        if (index < 0) fields.Add(new ReportField(name, value));
        else fields[index] = new ReportField(name, value);
    }

    /// <summary>The union so far with this row's set taken in; null once any merged row had no readable set.</summary>
    private static DistinctUnion? Parse(ReportRow row, string field, DistinctUnion? union)
    {
        if (row[field + SetSuffix] is not string text) return null;
        var first = union is null;
        union ??= new DistinctUnion();
        return union.TryAdd(text) || !first ? union : null;
    }

    private bool IsSet(string name) => report.UnionFields.Count > 0 && name.EndsWith(SetSuffix, StringComparison.Ordinal);

    private string Key(ReportRow row) => string.Join('\u001f', report.KeyFields.Select(row.Text));

    private object Merge(string name, object current, object next, ReportRow before, ReportRow row)
    {
        foreach (var (average, weight) in report.MeanFields)
        {
            if (average != name) continue;
            var (w1, w2) = (before.Number(weight), row.Number(weight));
            return w1 + w2 <= 0 ? Math.Max(Number(current), Number(next)) : Math.Round((Number(current) * w1 + Number(next) * w2) / (w1 + w2), 2);
        }
        return (current, next) switch
        {
            (long a, long b) => _sum.Contains(name) ? a + b : _min.Contains(name) ? Math.Min(a, b) : Math.Max(a, b),
            (bool a, bool b) => a || b,
            (string a, string b) when _list.Contains(name) => UnionList(a, b),
            (string a, string b) when _min.Contains(name) => string.CompareOrdinal(a, b) <= 0 ? a : b,
            (string a, string b) when report.MaxFields.Contains(name) => string.CompareOrdinal(a, b) >= 0 ? a : b,
            (string, string b) => b,
            (IConvertible a, IConvertible b) when IsNumber(a) && IsNumber(b) =>
                _sum.Contains(name) ? Number(a) + Number(b) : _min.Contains(name) ? Math.Min(Number(a), Number(b)) : Math.Max(Number(a), Number(b)),
            _ => next,
        };
    }

    /// <summary>A list field's union: space-separated entries, or flag letters when neither side has a space.</summary>
    private static string UnionList(string a, string b)
    {
        if (a.Length == 0) return b;
        if (b.Length == 0 || a == b) return a;
        if (!a.Contains(' ') && !b.Contains(' ') && a.Length <= 8 && b.Length <= 8 && (a + b).All(char.IsAsciiLetterUpper))
            return new string([.. a.Concat(b).Distinct().OrderBy(c => FlagOrder.IndexOf(c) is var k and >= 0 ? k : FlagOrder.Length)]);
        var entries = new List<string>(a.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        foreach (var entry in b.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            if (entries.Count < MaxListEntries && !entries.Contains(entry)) entries.Add(entry);
        return string.Join(' ', entries);
    }

    private static double Number(object value) => value is IConvertible c && IsNumber(value) ? c.ToDouble(null) : 0;

    private static bool IsNumber(object value) => value is long or int or double;
}
