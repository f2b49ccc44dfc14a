using System.Diagnostics;

namespace Monitor.Storage.Tests.Support;

/// <summary>Runs the test-only SpoolChild program (a probe stand-in) with the same dotnet host as the tests.</summary>
public static class ChildProcess
{
    public static Process StartSpoolChild(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Monitor.Storage.SpoolChild.dll");
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path && File.Exists(path) ? path : "dotnet";
        var info = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        return Process.Start(info) ?? throw new InvalidOperationException("could not start the spool child");
    }
}
