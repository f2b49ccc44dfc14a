using Monitor.Storage.Model.Metrics;

namespace Monitor.Web.Features.Series;

public sealed record BpfGraphLine(string Name, string Metric);

public sealed record BpfGraph(string Name, IReadOnlyList<BpfGraphLine> Lines);

/// <summary>
/// The user's BPF graphs (Ourmon's bpf directives) as configured under Probe:Bpf, with the series
/// names the probe stores them under: bpf.GRAPH.LINE, plus bpf.GRAPH.other for what matched no line.
/// </summary>
public sealed class BpfGraphCatalog
{
    public BpfGraphCatalog(IConfiguration configuration)
    {
        var graphs = new List<BpfGraph>();
        foreach (var graph in configuration.GetSection("Probe:Bpf").GetChildren())
        {
            var name = graph["Name"] ?? graph.Key;
            var lines = graph.GetSection("Lines").GetChildren()
                .Select(l => l["Name"] ?? l.Key)
                .Append("other")
                .Distinct()
                .Select(l => new BpfGraphLine(l, $"{MetricCatalog.BpfPrefix}{name}.{l}"))
                .ToList();
            graphs.Add(new BpfGraph(name, lines));
        }
        Graphs = graphs;
    }

    public IReadOnlyList<BpfGraph> Graphs { get; }
}
