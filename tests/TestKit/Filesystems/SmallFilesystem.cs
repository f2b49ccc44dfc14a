using System.Diagnostics;
using System.Globalization;

namespace Monitor.TestKit.Filesystems;

/// <summary>
/// A genuinely small filesystem (tmpfs of a given size) mounted on a temporary folder, grown in place with
/// a remount, always unmounted on dispose. Needs root (or CAP_SYS_ADMIN); <see cref="Unavailable"/> says why not.
/// </summary>
public sealed class SmallFilesystem : IDisposable
{
    private static readonly Lazy<string?> WhyNot = new(Probe);

    private SmallFilesystem(string path) => Path = path;

    public string Path { get; }

    /// <summary>Null when tmpfs mounts work here; otherwise the reason, for a skipped test.</summary>
    public static string? Unavailable => WhyNot.Value;

    public static SmallFilesystem Mount(string path, long bytes)
    {
        Directory.CreateDirectory(path);
        Run("mount", "-t", "tmpfs", "-o", Size(bytes), "monitor-test", path);
        return new SmallFilesystem(path);
    }

    public void Resize(long bytes) => Run("mount", "-o", "remount," + Size(bytes), Path);

    public long Available => new DriveInfo(Path).AvailableFreeSpace;

    public void Dispose()
    {
        // A lazy unmount still detaches it when a file handle lingers (a pooled connection being closed).
        if (!TryRun("umount", Path)) TryRun("umount", "-l", Path);
        try { Directory.Delete(Path); }
        catch (IOException) { }
    }

    private static string Size(long bytes) => "size=" + bytes.ToString(CultureInfo.InvariantCulture);

    private static string? Probe()
    {
        if (!Environment.IsPrivilegedProcess) return "mounting a small tmpfs needs root";
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "monitor-mount-check-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            using var fs = Mount(path, 64 * 1024);
            fs.Resize(128 * 1024);
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return "this sandbox cannot mount a tmpfs: " + e.Message;
        }
    }

    private static void Run(string command, params string[] arguments)
    {
        if (!TryRun(command, arguments, out var error))
            throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} failed: {error}");
    }

    private static bool TryRun(string command, params string[] arguments) => TryRun(command, arguments, out _);

    private static bool TryRun(string command, string[] arguments, out string error)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{command} did not start");
        error = process.StandardError.ReadToEnd().Trim();
        if (!process.WaitForExit(10_000))
        {
            process.Kill();
            error = "timed out";
            return false;
        }
        return process.ExitCode == 0;
    }
}

/// <summary>A fact that needs a real small filesystem; skipped, with the reason, where mounting is not allowed.</summary>
public sealed class SmallFilesystemFactAttribute : Xunit.FactAttribute
{
    public SmallFilesystemFactAttribute()
    {
        if (SmallFilesystem.Unavailable is { } reason) Skip = reason;
    }
}
