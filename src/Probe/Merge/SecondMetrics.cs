using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Monitor.Probe.Merge;

/// <summary>
/// A second point's series: the names every second shares, once, and this second's values. A dictionary per second
/// cost ~850 bytes (86,400 a day); reading a capture they wait for the store's next bulk write, so each one survived
/// the young collections and was copied twice. Enumerates in the names' order, as the dictionary it replaces did.
/// </summary>
internal sealed class SecondMetrics(SecondMetrics.Names names, double[] values) : IReadOnlyDictionary<string, double>
{
    /// <summary>The series names of every second, and where each one's value is.</summary>
    public sealed class Names(IReadOnlyList<string> names)
    {
        public readonly string[] Ordered = [.. names];
        public readonly Dictionary<string, int> Index = names.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
    }

    public int Count => values.Length;

    public double this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

    public IEnumerable<string> Keys => names.Ordered;

    public IEnumerable<double> Values => values;

    public bool ContainsKey(string key) => names.Index.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out double value)
    {
        if (names.Index.TryGetValue(key, out var i))
        {
            value = values[i];
            return true;
        }
        value = 0;
        return false;
    }

    public IEnumerator<KeyValuePair<string, double>> GetEnumerator()
    {
        for (var i = 0; i < values.Length; i++) yield return new(names.Ordered[i], values[i]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
