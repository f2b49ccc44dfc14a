namespace Monitor.Web;

/// <summary>
/// The site's static files live in the repository's top-level wwwroot/ (chart library from npm, our JS
/// and CSS). Found from the working directory or the binary's folder upwards; a published copy keeps
/// wwwroot/ beside the binary.
/// </summary>
public static class WebRoot
{
    public static string? Locate()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "wwwroot");
                if (File.Exists(Path.Combine(dir.FullName, "Monitor.sln")) && Directory.Exists(candidate)) return candidate;
            }
        }
        var beside = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        return Directory.Exists(beside) ? beside : null;
    }

    /// <summary>
    /// Where appsettings.json is read from: the working directory when it has one (a published copy, a service),
    /// else the build output (dotnet run started in the folder the command was typed in); null keeps the default.
    /// </summary>
    public static string? ContentRoot() =>
        File.Exists(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json")) ||
        !File.Exists(Path.Combine(AppContext.BaseDirectory, "appsettings.json"))
            ? null
            : AppContext.BaseDirectory;
}
