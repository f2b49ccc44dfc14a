using System.Diagnostics;
using Monitor.Probe.Hosting;

namespace Monitor.Web.Tests;

/// <summary>Where "dotnet run --project src/Web" resolves relative paths: the folder the command was typed in.</summary>
public sealed class RunDirectoryTests
{
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Monitor.sln"))) return dir.FullName;
        throw new InvalidOperationException("the tests run outside the repository");
    }

    [Fact]
    public async Task Dotnet_run_starts_the_site_in_the_directory_the_command_was_typed_in()
    {
        var typedIn = Directory.CreateTempSubdirectory("monitor-run-dir-").FullName;
        try
        {
            var start = new ProcessStartInfo("dotnet", ["msbuild", Path.Combine(RepositoryRoot(), "src", "Web", "Monitor.Web.csproj"),
                "-getProperty:RunWorkingDirectory", "-p:MonitorSkipDeps=true"])
            {
                WorkingDirectory = typedIn,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var output = await process.StandardOutput.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);

            Assert.Equal(0, process.ExitCode);
            Assert.Equal(typedIn.TrimEnd('/'), output.Trim().TrimEnd('/'));
        }
        finally
        {
            Directory.Delete(typedIn, recursive: true);
        }
    }

    [Fact]
    public void A_capture_that_is_not_there_is_refused_naming_the_full_path_looked_for()
    {
        var options = new ProbeOptions { Read = ["captures/no-such-capture.pcap"] };

        var error = Assert.Single(options.Validate());

        Assert.Contains(Path.Combine(Directory.GetCurrentDirectory(), "captures", "no-such-capture.pcap"), error);
        Assert.Contains("working directory", error);
    }
}
