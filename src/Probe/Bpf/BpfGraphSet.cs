using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Monitor.Probe.Capture;
using Monitor.Storage.Model.Metrics;

namespace Monitor.Probe.Bpf;

/// <summary>
/// The user's BPF graphs, compiled by libpcap. Each line (and each graph's "other" line) owns one
/// counter slot; series names are <c>bpf.GRAPH.LINE</c>. Filters are compiled once per link type,
/// because a BPF program is specific to the link header it runs on.
/// </summary>
public sealed partial class BpfGraphSet
{
    private readonly IReadOnlyList<BpfGraphOptions> _graphs;
    private readonly int _snapLength;
    private readonly ConcurrentDictionary<int, BpfFilter?[]> _byLinkType = new();

    public BpfGraphSet(IReadOnlyList<BpfGraphOptions> graphs, int snapLength)
    {
        _graphs = graphs;
        _snapLength = snapLength;
        var names = new List<string>();
        var bytes = new List<bool>();
        foreach (var graph in graphs)
        {
            foreach (var line in graph.Lines)
            {
                names.Add($"{MetricCatalog.BpfPrefix}{graph.Name}.{line.Name}");
                bytes.Add(IsBytes(graph));
            }
            names.Add($"{MetricCatalog.BpfPrefix}{graph.Name}.other");
            bytes.Add(IsBytes(graph));
        }
        SeriesNames = names;
        CountsBytes = bytes;
    }

    public static BpfGraphSet Empty { get; } = new([], 262144);

    /// <summary>One name per counter slot, in slot order.</summary>
    public IReadOnlyList<string> SeriesNames { get; }

    public IReadOnlyList<bool> CountsBytes { get; }

    public int SlotCount => SeriesNames.Count;

    /// <summary>
    /// Checks names and units and compiles every expression for Ethernet, so a bad graph stops the probe
    /// at start with a message naming it. Returns the problems found.
    /// </summary>
    public static IReadOnlyList<string> Validate(IReadOnlyList<BpfGraphOptions> graphs, int snapLength)
    {
        var errors = new List<string>();
        var graphNames = new HashSet<string>(StringComparer.Ordinal);
        for (var g = 0; g < graphs.Count; g++)
        {
            var graph = graphs[g];
            var where = $"Probe:Bpf:{g}";
            if (!NamePattern().IsMatch(graph.Name))
                errors.Add($"{where}:Name '{graph.Name}' must be letters, digits, '_' or '-'");
            else if (!graphNames.Add(graph.Name))
                errors.Add($"{where}:Name '{graph.Name}' is used by two graphs");
            if (graph.Unit is not ("packets" or "bytes"))
                errors.Add($"{where}:Unit '{graph.Unit}' must be 'packets' or 'bytes'");
            if (graph.Lines.Count == 0)
                errors.Add($"{where}:Lines needs at least one line");
            var lineNames = new HashSet<string>(StringComparer.Ordinal) { "other" };
            for (var l = 0; l < graph.Lines.Count; l++)
            {
                var line = graph.Lines[l];
                var lineWhere = $"{where}:Lines:{l}";
                if (!NamePattern().IsMatch(line.Name))
                    errors.Add($"{lineWhere}:Name '{line.Name}' must be letters, digits, '_' or '-'");
                else if (!lineNames.Add(line.Name))
                    errors.Add($"{lineWhere}:Name '{line.Name}' is used twice in graph '{graph.Name}' (or is 'other')");
                try
                {
                    using var _ = BpfFilter.Compile(line.Filter, LinkTypes.Ethernet, snapLength);
                }
                catch (CaptureFilterException e)
                {
                    errors.Add($"{lineWhere}:Filter '{line.Filter}': {e.Message}");
                }
            }
        }
        return errors;
    }

    /// <summary>Adds the packet to the slots from <paramref name="offset"/> on.</summary>
    internal void Count(long[] counters, int offset, in RawPacket packet)
    {
        var filters = FiltersFor(packet.LinkType);
        var slot = offset;
        var f = 0;
        foreach (var graph in _graphs)
        {
            long amount = IsBytes(graph) ? packet.WireLength : 1;
            var matched = false;
            for (var l = 0; l < graph.Lines.Count; l++, f++, slot++)
            {
                var filter = filters[f];
                if (filter is not null && filter.Matches(packet))
                {
                    counters[slot] += amount;
                    matched = true;
                }
            }
            if (!matched) counters[slot] += amount;
            slot++;
        }
    }

    private BpfFilter?[] FiltersFor(int linkType) =>
        _byLinkType.TryGetValue(linkType, out var filters) ? filters : _byLinkType.GetOrAdd(linkType, Compile);

    private BpfFilter?[] Compile(int linkType)
    {
        var filters = new List<BpfFilter?>();
        foreach (var graph in _graphs)
        {
            foreach (var line in graph.Lines)
            {
                try
                {
                    filters.Add(BpfFilter.Compile(line.Filter, linkType, _snapLength));
                }
                catch (CaptureFilterException)
                {
                    // An expression that names a header this link type lacks matches nothing here.
                    filters.Add(null);
                }
            }
        }
        return [.. filters];
    }

    private static bool IsBytes(BpfGraphOptions graph) => graph.Unit == "bytes";

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex NamePattern();
}
