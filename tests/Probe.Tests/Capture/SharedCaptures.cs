namespace Monitor.Probe.Tests.Capture;

/// <summary>
/// The real captures in shared/pcaps (found by walking up from the test's base directory); tests
/// that need them skip when the folder is not there. The files are read in place, never copied.
/// </summary>
public static class SharedCaptures
{
    public static string? Folder { get; } = Find();

    /// <summary>Files tshark reads with complaint (cut short), or that are not captures of traffic at all.</summary>
    public static readonly IReadOnlySet<string> Damaged = new HashSet<string>
    {
        "ndpi-fuzz-2021-10-13.pcap",
        "surv-pgsql-5000-query-results.pcap",
    };

    public static string PathOf(string name) =>
        Path.Combine(Folder ?? throw new InvalidOperationException("shared/pcaps is not there"), name);

    /// <summary>Capture file names for a theory; one placeholder when the folder is missing (the test is skipped then).</summary>
    public static TheoryData<string> All()
    {
        var data = new TheoryData<string>();
        if (Folder is null)
        {
            data.Add("(shared/pcaps missing)");
            return data;
        }
        foreach (var file in Directory.EnumerateFiles(Folder).Where(f => f.EndsWith(".pcap", StringComparison.Ordinal) || f.EndsWith(".pcapng", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }
        return data;
    }

    private static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "pcaps");
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }
}

/// <summary>A fact that runs only where shared/pcaps exists.</summary>
public sealed class SharedCapturesFactAttribute : FactAttribute
{
    public SharedCapturesFactAttribute()
    {
        if (SharedCaptures.Folder is null) Skip = "shared/pcaps is not available";
    }
}

/// <summary>A theory that runs only where shared/pcaps exists.</summary>
public sealed class SharedCapturesTheoryAttribute : TheoryAttribute
{
    public SharedCapturesTheoryAttribute()
    {
        if (SharedCaptures.Folder is null) Skip = "shared/pcaps is not available";
    }
}
