namespace Monitor.TestKit.Filesystems;

/// <summary>The checkout the tests run from: the folder above the test binaries that holds Monitor.sln.</summary>
public static class Repository
{
    /// <summary>The checkout's root, or null when the binaries were copied away from it.</summary>
    public static string? FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Monitor.sln"))) return dir.FullName;
        return null;
    }

    public static string Root => FindRoot() ?? throw new InvalidOperationException("Monitor.sln not found above " + AppContext.BaseDirectory);
}
