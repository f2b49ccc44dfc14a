using System.Text.RegularExpressions;
using Monitor.TestKit.Filesystems;

namespace Monitor.Probe.Tests.Layout;

/// <summary>
/// README's "where things are" table, checked on the sources: a folder imports only what its row allows, so a
/// packet's stages never loop and the store never depends on the probe or the site. Imports are read from the
/// .cs and .razor files under src/ (usings and qualified names alike), so a cref or a fully qualified call counts.
/// </summary>
public sealed partial class ImportDirectionTests
{
    /// <summary>Per probe folder, the other probe folders it may import (Hosting and Cli wire them all).</summary>
    private static readonly Dictionary<string, string[]> ProbeRows = new()
    {
        ["Capture"] = [],
        ["Decode"] = ["Capture"],
        ["Counting"] = ["Decode"],
        ["Bpf"] = ["Capture"],
        ["Reports"] = ["Decode"],
        ["Output"] = [],
        ["Merge"] = ["Counting", "Bpf", "Reports", "Output"],
        ["Sessions"] = ["Decode"],
        ["Evidence"] = ["Capture"],
        ["Dispatch"] = ["Capture", "Decode", "Counting", "Bpf", "Reports", "Sessions", "Merge"],
        ["Recording"] = ["Capture", "Decode", "Dispatch"],
        ["Hosting"] = ["*"],
        ["Cli"] = ["*"],
        [""] = ["Cli"],
    };

    [Fact]
    public void A_probe_folder_imports_only_the_probe_folders_its_row_allows()
    {
        var problems = new List<string>();
        foreach (var (file, folder, imports) in Sources("Probe"))
        {
            if (!ProbeRows.TryGetValue(folder, out var allowed))
            {
                problems.Add($"{file}: folder '{folder}' has no row in README's table (nor in {nameof(ProbeRows)})");
                continue;
            }
            foreach (var import in imports.Where(i => i.Project == "Probe" && i.Folder != folder))
                if (!allowed.Contains("*") && !allowed.Contains(import.Folder))
                    problems.Add($"{file}: {folder} imports Monitor.Probe.{import.Folder}");
        }
        Assert.Empty(problems);
    }

    [Fact]
    public void Neither_the_probe_nor_the_store_imports_the_site_and_the_store_imports_no_probe()
    {
        var problems = Sources("Probe").SelectMany(s => s.Imports.Where(i => i.Project == "Web").Select(i => $"{s.File}: imports Monitor.Web"))
            .Concat(Sources("Storage").SelectMany(s => s.Imports.Where(i => i.Project is "Web" or "Probe")
                .Select(i => $"{s.File}: imports Monitor.{i.Project}")))
            .ToList();
        Assert.Empty(problems);
    }

    [Fact]
    public void The_storage_model_imports_nothing_but_itself()
    {
        var problems = Sources("Storage").Where(s => s.Folder == "Model")
            .SelectMany(s => s.Imports.Where(i => i.Project != "Storage" || i.Folder != "Model").Select(i => $"{s.File}: imports Monitor.{i.Project}.{i.Folder}"))
            .ToList();
        Assert.Empty(problems);
    }

    [Fact]
    public void What_the_sites_features_share_imports_no_feature()
    {
        var problems = Sources("Web").Where(s => s.Folder == "Common")
            .SelectMany(s => s.Imports.Where(i => i.Project == "Web" && i.Folder != "Common").Select(i => $"{s.File}: imports Monitor.Web.{i.Folder}"))
            .ToList();
        Assert.Empty(problems);
    }

    [Fact]
    public void Imports_are_read_from_usings_and_qualified_names_but_not_from_the_files_own_namespace()
    {
        const string source = """
            using Monitor.Probe.Decode;
            using Monitor.Storage.Model.Snapshots;
            namespace Monitor.Probe.Capture;
            /// <see cref="Monitor.Probe.Merge.IMergeInbox"/>
            class C { Monitor.Web.Common.Links? _links; }
            """;

        var imports = ImportsOf(source).Select(i => $"{i.Project}.{i.Folder}").Order().ToList();

        Assert.Equal(["Probe.Decode", "Probe.Merge", "Storage.Model", "Web.Common"], imports);
    }

    private sealed record Import(string Project, string Folder);

    private static IEnumerable<(string File, string Folder, IReadOnlyList<Import> Imports)> Sources(string project)
    {
        var root = Path.Combine(Repository.Root, "src", project);
        return Directory.EnumerateFiles(root, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root, f))
            .Where(f => !f.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                && !f.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .Select(f => ($"src/{project}/{f}", FolderOf(f), ImportsOf(File.ReadAllText(Path.Combine(root, f)))));
    }

    /// <summary>The folder that owns a file: its first folder under the project (Features/X in the site).</summary>
    private static string FolderOf(string relative)
    {
        var parts = relative.Split(Path.DirectorySeparatorChar);
        if (parts.Length == 1) return "";
        return parts[0] == "Features" && parts.Length > 2 ? $"Features.{parts[1]}" : parts[0];
    }

    private static IReadOnlyList<Import> ImportsOf(string source)
    {
        var own = OwnNamespace().Match(source) is { Success: true } m ? m.Groups[1].Value : null;
        return [.. Reference().Matches(source)
            .Where(r => r.Value != own)
            .Select(r => ToImport(r.Groups[1].Value, r.Groups[2].Value.Split('.', StringSplitOptions.RemoveEmptyEntries)))
            .Distinct()];
    }

    private static Import ToImport(string project, string[] segments) => segments switch
    {
        ["Features", var feature, ..] => new Import(project, $"Features.{feature}"),
        [var folder, ..] => new Import(project, folder),
        [] => new Import(project, ""),
    };

    [GeneratedRegex(@"^\s*@?namespace\s+(Monitor(?:\.[A-Za-z]+)+)", RegexOptions.Multiline)]
    private static partial Regex OwnNamespace();

    /// <summary>A dotted name in one of the projects (Monitor.Probe..., Monitor.Storage..., Monitor.Web...): its first part is the folder.</summary>
    [GeneratedRegex(@"\bMonitor\.(Probe|Storage|Web)((?:\.[A-Za-z_][A-Za-z0-9_]*)*)")]
    private static partial Regex Reference();
}
