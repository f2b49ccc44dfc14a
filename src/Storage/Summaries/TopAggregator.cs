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
    private readonly HashSet<string> _max = [.. report.MaxFields];
    private readonly HashSet<string> _list = [.. report.ListFields];
    // Names made once: an hour's summary merges thousands of rows.
    private readonly string[] _setNames = [.. report.UnionFields.Select(field => field + SetSuffix)];
    private readonly string[] _keyParts = new string[report.KeyFields.Count];
    private readonly double[] _weightsBefore = new double[report.MeanFields.Count];

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
            var fields = new List<ReportField>(row.Fields.Count);
            foreach (var field in row.Fields)
                if (!IsSet(field.Name) && field.Name != LowerBound) fields.Add(field);
            _rows[key] = merged = new Merged(fields) { LastList = _lists };
            merged.LowerBound = row[LowerBound] is true;
            if (report.UnionFields.Count > 0)
            {
                merged.Sets = new Dictionary<string, DistinctUnion?>(StringComparer.Ordinal);
                for (var i = 0; i < _setNames.Length; i++) merged.Sets[report.UnionFields[i]] = Parse(row, _setNames[i], null);
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
            for (var i = 0; i < _setNames.Length; i++)
                sets[report.UnionFields[i]] = Parse(row, _setNames[i], sets[report.UnionFields[i]]);
        // A weighted mean needs its weight as it was before this row's sums went in.
        for (var i = 0; i < _weightsBefore.Length; i++) _weightsBefore[i] = Number(merged.Fields, report.MeanFields[i].Weight);
        foreach (var field in row.Fields)
        {
            if (IsSet(field.Name) || field.Name == LowerBound) continue;
            var index = IndexOf(merged.Fields, field.Name);
            if (index < 0) { merged.Fields.Add(field); continue; }
            merged.Fields[index] = new ReportField(field.Name, Merge(field.Name, merged.Fields[index].Value, field.Value, row));
        }
    }

    /// <summary>The merged rows in the report's order (see <see cref="ReportInfo.OrderFor"/>), at most n, without stored sets.</summary>
    public IReadOnlyList<ReportRow> Top(int n, string? sortBy)
    {
        var order = report.OrderFor(sortBy);
        var (keys, rows) = Finished();
        if (rows.Length > 0 && !rows.Any(r => r[order[0]] is not null))
            throw new StoreQueryException($"report '{report.Name}' has no field '{order[0]}' to sort by");
        return [.. Ordered(keys, rows, [.. Enumerable.Range(0, rows.Length)], order, n).Select(i => rows[i])];
    }

    /// <summary>
    /// What a summary keeps: the union of the top n by every sortable field, so that a later merge of
    /// summaries sorted by any of them is still right for rows that mattered in any period; with their sets.
    /// </summary>
    public IReadOnlyList<ReportRow> TopByEach(int n)
    {
        // The order needs the finished figures but not the sets' text, which only the kept rows carry.
        var (keys, rows) = Finished();
        var keep = new HashSet<string>(StringComparer.Ordinal);
        var candidates = new List<int>(rows.Length);
        foreach (var field in report.SumFields.Concat(report.MaxFields).Concat(report.UnionFields).Append(report.DefaultSort).Distinct())
        {
            candidates.Clear();
            for (var i = 0; i < rows.Length; i++)
                if (rows[i][field] is not null) candidates.Add(i);
            foreach (var i in Ordered(keys, rows, candidates, report.OrderFor(field), n)) keep.Add(keys[i]);
        }
        if (keep.Count == 0)
            foreach (var key in _rows.Keys.Order(StringComparer.Ordinal).Take(n)) keep.Add(key);
        return [.. keep.Order(StringComparer.Ordinal).Select(key => Finish(_rows[key], withSets: true))];
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

    /// <summary>Every merged row finished without its sets, with its key.</summary>
    private (string[] Keys, ReportRow[] Rows) Finished()
    {
        var keys = new string[_rows.Count];
        var rows = new ReportRow[_rows.Count];
        var i = 0;
        foreach (var (key, merged) in _rows)
        {
            keys[i] = key;
            rows[i++] = Finish(merged, withSets: false);
        }
        return (keys, rows);
    }

    /// <summary>
    /// The first n of the candidates largest first by each field of the chain (a field that is text in every
    /// candidate having it: smallest first), then by key for stable ties. Keys are unique, so this is a total order
    /// and any sort gives the same first n.
    /// </summary>
    private static IEnumerable<int> Ordered(string[] keys, ReportRow[] rows, List<int> candidates, IReadOnlyList<string> order, int n)
    {
        var texts = new string[order.Count][];
        var numbers = new double[order.Count][];
        for (var f = 0; f < order.Count; f++)
        {
            var field = order[f];
            var text = candidates.Count > 0 && candidates.All(i => rows[i][field] is string or null) && candidates.Any(i => rows[i][field] is string);
            if (text)
            {
                texts[f] = new string[rows.Length];
                foreach (var i in candidates) texts[f][i] = rows[i].Text(field);
            }
            else
            {
                numbers[f] = new double[rows.Length];
                foreach (var i in candidates) numbers[f][i] = rows[i].Number(field);
            }
        }
        var sorted = candidates.ToArray();
        Array.Sort(sorted, (a, b) =>
        {
            for (var f = 0; f < texts.Length; f++)
            {
                var c = texts[f] is { } t ? string.CompareOrdinal(t[a], t[b]) : numbers[f][b].CompareTo(numbers[f][a]);
                if (c != 0) return c;
            }
            return string.CompareOrdinal(keys[a], keys[b]);
        });
        return sorted.Take(n);
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
        var index = IndexOf(fields, name);
        if (index < 0) fields.Add(new ReportField(name, value));
        else fields[index] = new ReportField(name, value);
    }

    private static int IndexOf(List<ReportField> fields, string name)
    {
        for (var i = 0; i < fields.Count; i++)
            if (fields[i].Name == name) return i;
        return -1;
    }

    /// <summary><see cref="ReportRow.Number"/> of a field list.</summary>
    private static double Number(List<ReportField> fields, string name) => IndexOf(fields, name) is var i and >= 0
        ? fields[i].Value switch
        {
            long l => l,
            double d => d,
            int n => n,
            bool b => b ? 1 : 0,
            _ => 0,
        }
        : 0;

    /// <summary>The union so far with this row's set (field <paramref name="setName"/>) taken in; null once any merged row had no readable set.</summary>
    private static DistinctUnion? Parse(ReportRow row, string setName, DistinctUnion? union)
    {
        if (row[setName] is not string text) return null;
        var first = union is null;
        union ??= new DistinctUnion();
        return union.TryAdd(text) || !first ? union : null;
    }

    private bool IsSet(string name) => report.UnionFields.Count > 0 && name.EndsWith(SetSuffix, StringComparison.Ordinal);

    private string Key(ReportRow row)
    {
        if (_keyParts.Length == 1) return row.Text(report.KeyFields[0]);
        for (var i = 0; i < _keyParts.Length; i++) _keyParts[i] = row.Text(report.KeyFields[i]);
        return string.Join('\u001f', _keyParts);
    }

    private object Merge(string name, object current, object next, ReportRow row)
    {
        for (var i = 0; i < _weightsBefore.Length; i++)
        {
            var (average, weight) = report.MeanFields[i];
            if (average != name) continue;
            var (w1, w2) = (_weightsBefore[i], row.Number(weight));
            return w1 + w2 <= 0 ? Math.Max(Number(current), Number(next)) : Math.Round((Number(current) * w1 + Number(next) * w2) / (w1 + w2), 2);
        }
        return (current, next) switch
        {
            (long a, long b) => _sum.Contains(name) ? a + b : _min.Contains(name) ? Math.Min(a, b) : Math.Max(a, b),
            (bool a, bool b) => a || b,
            (string a, string b) when _list.Contains(name) => UnionList(a, b),
            (string a, string b) when _min.Contains(name) => string.CompareOrdinal(a, b) <= 0 ? a : b,
            (string a, string b) when _max.Contains(name) => string.CompareOrdinal(a, b) >= 0 ? a : b,
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
