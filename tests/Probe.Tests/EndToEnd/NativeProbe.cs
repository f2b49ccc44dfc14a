using System.Diagnostics;
using Monitor.TestKit.Filesystems;

namespace Monitor.Probe.Tests.EndToEnd;

/// <summary>
/// <c>monitor-probe</c> published natively (ahead-of-time compiled), the way bench/run.sh and the
/// Dockerfile ship it, built once for the test classes that use it. The build has its own artifacts
/// folder so it never shares intermediate files with the solution's other builds.
/// </summary>
public sealed class NativeProbe : IAsyncLifetime
{
    public string Executable { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var root = Repository.Root;
        var build = Path.Combine(root, "artifacts", "native-probe");
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        foreach (var arg in new[]
                 {
                     "publish", Path.Combine(root, "src", "Probe"), "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true",
                     "--artifacts-path", Path.Combine(build, "obj"), "-o", Path.Combine(build, "bin"), "-nologo",
                 })
            info.ArgumentList.Add(arg);
        using var publish = Process.Start(info)!;
        var output = publish.StandardOutput.ReadToEndAsync();
        var error = publish.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await publish.WaitForExitAsync(timeout.Token);
        if (publish.ExitCode != 0)
            throw new InvalidOperationException($"native publish failed ({publish.ExitCode}):\n{await output}\n{await error}");
        Executable = Path.Combine(build, "bin", "monitor-probe");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public Task<(int Code, string Out, string Err)> RunAsync(params string[] args) => RunProcessAsync(Executable, args);

    /// <summary>Runs a program to its end (two minutes at most) and returns its exit code, stdout and stderr.</summary>
    public static async Task<(int Code, string Out, string Err)> RunProcessAsync(string program, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
