using System.Diagnostics;
using System.Globalization;

namespace Monitor.Web.Tests.Support;

/// <summary>Real tcpdump reading a pcap: one line per packet, with its time (<c>-tt</c>).</summary>
public static class Tcpdump
{
    public static IReadOnlyList<string> Lines(string file, string? filter = null)
    {
        var start = new ProcessStartInfo("tcpdump") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-Z", "root", "-n", "-S", "-tt", "-r", file }) start.ArgumentList.Add(argument);
        if (filter is not null) start.ArgumentList.Add(filter);
        using var process = Process.Start(start)!;
        var lines = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(30_000));
        Assert.True(process.ExitCode == 0, error.Result);
        // A packet is a line starting with its time; tcpdump continues a dissector's complaint on an indented line.
        return [.. lines.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => char.IsAsciiDigit(l[0]))];
    }

    public static DateTimeOffset Time(string line)
    {
        var seconds = decimal.Parse(line[..line.IndexOf(' ', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
        return DateTimeOffset.UnixEpoch.AddTicks((long)(seconds * TimeSpan.TicksPerSecond));
    }
}
