using System.Collections.Concurrent;
using System.Globalization;

namespace Monitor.Bench.Load;

/// <summary>Every request's latency and outcome, by kind (page, static, circuit, api/series, ...).</summary>
internal sealed class Latencies
{
    private readonly ConcurrentDictionary<string, Kind> _kinds = new();

    public void Record(string kind, TimeSpan elapsed) => _kinds.GetOrAdd(kind, _ => new Kind()).Add(elapsed.TotalMilliseconds);

    public void Error(string kind, string what)
    {
        var k = _kinds.GetOrAdd(kind, _ => new Kind());
        k.Fail(what);
    }

    public long Requests => _kinds.Values.Sum(k => k.Count + k.Errors);
    public long Errors => _kinds.Values.Sum(k => k.Errors);

    public IEnumerable<string> ErrorSamples => _kinds.SelectMany(kv => kv.Value.Samples.Select(s => $"{kv.Key}: {s}"));

    public IEnumerable<string> Table()
    {
        yield return string.Format(CultureInfo.InvariantCulture, "{0,-22} {1,8} {2,7} {3,9} {4,9} {5,9} {6,9}",
            "kind", "count", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms");
        foreach (var (name, kind) in _kinds.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var sorted = kind.Sorted();
            yield return string.Format(CultureInfo.InvariantCulture, "{0,-22} {1,8} {2,7} {3,9:F1} {4,9:F1} {5,9:F1} {6,9:F1}",
                name, sorted.Length, kind.Errors, Percentile(sorted, 0.50), Percentile(sorted, 0.95), Percentile(sorted, 0.99),
                sorted.Length == 0 ? double.NaN : sorted[^1]);
        }
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private sealed class Kind
    {
        private readonly List<double> _ms = [];
        private readonly List<string> _samples = [];
        private long _errors;

        public long Count { get { lock (_ms) return _ms.Count; } }
        public long Errors => Interlocked.Read(ref _errors);
        public IReadOnlyList<string> Samples { get { lock (_ms) return [.. _samples]; } }

        public void Add(double ms)
        {
            lock (_ms) _ms.Add(ms);
        }

        public void Fail(string what)
        {
            Interlocked.Increment(ref _errors);
            lock (_ms)
                if (_samples.Count < 3) _samples.Add(what);
        }

        public double[] Sorted()
        {
            lock (_ms)
            {
                var copy = _ms.ToArray();
                Array.Sort(copy);
                return copy;
            }
        }
    }
}
