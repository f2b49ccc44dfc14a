using System.Text.Json;

namespace Monitor.Probe.Tests.EndToEnd;

/// <summary>The shared corpus of real captures with tshark oracles (../shared/pcaps), when present.</summary>
public static class SharedPcaps
{
    public static string? Folder { get; } = Find();

    private static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "pcaps");
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Every capture that has an oracle, by file name; empty when the corpus is absent.</summary>
    public static IEnumerable<string> WithOracle() =>
        Folder is null
            ? []
            : Directory.GetFiles(Folder, "*.oracle.json").Select(f => Path.GetFileName(f)[..^".oracle.json".Length]).Order();

    public static string PathOf(string name) => Path.Combine(Folder!, name);

    public static Oracle OracleOf(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(PathOf(name) + ".oracle.json"));
        var root = doc.RootElement;
        var protocols = new Dictionary<string, long>();
        foreach (var p in root.GetProperty("protocols").EnumerateObject())
            protocols[p.Name] = p.Value.GetProperty("packets").GetInt64();
        var talkers = root.GetProperty("talkers").EnumerateArray()
            .Select(t => new Talker(t[0].GetString()!, t[1].GetInt64(), t[2].GetInt64()))
            .ToList();
        return new Oracle(root.GetProperty("packets").GetInt64(), root.GetProperty("bytes").GetInt64(),
            protocols, talkers, root.GetProperty("damaged").GetBoolean());
    }
}

public sealed record Talker(string Ip, long Packets, long Bytes);

/// <summary>tshark's/capinfos' view of a capture (outermost IP header).</summary>
public sealed record Oracle(long Packets, long Bytes, IReadOnlyDictionary<string, long> Protocols,
    IReadOnlyList<Talker> Talkers, bool Damaged);
