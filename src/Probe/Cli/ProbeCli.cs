using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Monitor.Probe.Capture;
using Monitor.Probe.Hosting;
using Monitor.Probe.Reports;
using Microsoft.Extensions.Options;

namespace Monitor.Probe.Cli;

/// <summary>
/// The <c>monitor-probe</c> entry point, also called in-process by tests. Exit codes: 0 done,
/// 2 bad input or usage, 1 anything else. No exception reaches the user: each becomes one line on stderr.
/// </summary>
public static class ProbeCli
{
    public const int Done = 0;
    public const int Failed = 1;
    public const int BadInput = 2;

    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null,
        CancellationToken cancellationToken = default)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        try
        {
            var flags = new ProbeCommandLine();
            var root = flags.Build();
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                foreach (var problem in parse.Errors) await error.WriteLineAsync($"monitor-probe: {problem.Message}");
                await error.WriteLineAsync("Try 'monitor-probe --help'.");
                return BadInput;
            }
            var exitCode = Done;
            root.SetAction(async (result, token) =>
            {
                exitCode = await RunParsedAsync(flags, result, output, error, token);
                return exitCode;
            });
            var invoked = await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
            return invoked == Done ? exitCode : invoked;
        }
        catch (Exception e)
        {
            await error.WriteLineAsync($"monitor-probe: error: {e.Message.ReplaceLineEndings(" ")}");
            return Failed;
        }
    }

    private static async Task<int> RunParsedAsync(ProbeCommandLine flags, ParseResult parse, TextWriter output,
        TextWriter error, CancellationToken cancellationToken)
    {
        if (parse.GetValue(flags.ListInterfaces)) return await ListInterfacesAsync(output, error);

        var configuration = new ConfigurationBuilder();
        var configFile = parse.GetValue(flags.Config);
        if (configFile is not null)
        {
            if (!File.Exists(configFile))
                return await Fail(error, BadInput, $"--config: file '{configFile}' does not exist");
            configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
        }
        configuration.AddInMemoryCollection(flags.ToConfiguration(parse));

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        try
        {
            builder.Configuration.AddConfiguration(configuration.Build());
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or IOException)
        {
            return await Fail(error, BadInput, $"--config '{configFile}': {Inner(e)}");
        }
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(
            o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddProbeCore(builder.Configuration);
        // Lists given as flags replace the file's lists instead of merging with them index by index.
        var read = parse.GetValue(flags.Read);
        var homeNet = parse.GetValue(flags.HomeNet);
        builder.Services.PostConfigure<ProbeOptions>(o =>
        {
            if (read is not null) o.Read = [.. read];
            if (homeNet is not null) o.HomeNet = [.. homeNet];
        });
        var host = builder.Build();
        // Asynchronously: the store it may have opened closes only that way.
        await using var closeHost = (IAsyncDisposable)host;

        ProbeOptions options;
        ReportOptions reportOptions;
        try
        {
            // What a host checks at start: every section's settings, each problem on its own line.
            host.Services.GetRequiredService<IStartupValidator>().Validate();
            options = host.Services.GetRequiredService<IOptions<ProbeOptions>>().Value;
            reportOptions = host.Services.GetRequiredService<IOptions<ReportOptions>>().Value;
        }
        catch (Exception e) when (StartupProblems.Of(e) is { } problems)
        {
            foreach (var problem in problems) await error.WriteLineAsync($"monitor-probe: {problem}");
            return BadInput;
        }
        catch (InvalidOperationException e)
        {
            return await Fail(error, BadInput, $"configuration: {Inner(e)}");
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // A signal's handler runs on a thread of its own and may still run as the run ends and disposes the source.
        void Stop(PosixSignalContext c)
        {
            c.Cancel = true;
            try { stop.Cancel(); }
            catch (ObjectDisposedException) { }
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        var runner = host.Services.GetRequiredService<ProbeRunner>();
        var progress = options.IsOffline && ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected
            ? new ReadProgress() : null;
        var run = runner.RunAsync(options, reportOptions, stop.Token, engine => progress?.Watch(engine));
        var result = progress is null ? await run : await progress.ShowUntil(run);

        await error.WriteLineAsync(Summary(result));
        if (result.Error is not null) await error.WriteLineAsync($"monitor-probe: error: {result.Error}");
        return result.ExitCode;
    }

    private static string Summary(ProbeRunResult r)
    {
        var seconds = r.Elapsed.TotalSeconds;
        var rate = seconds > 0 ? r.Packets / seconds : 0;
        var intervals = r.Intervals == 0 ? "no interval" : r.Intervals == 1 ? "1 interval" : $"{r.Intervals} intervals";
        var mean = r.Intervals == 0 ? 0 : r.TotalMergeTime.TotalMilliseconds / r.Intervals;
        return string.Create(CultureInfo.InvariantCulture,
            $"monitor-probe: {r.Packets} packets, {r.Bytes} bytes in {seconds:F2} s ({rate:F0} packets/s); " +
            $"{intervals}, merge+write mean {mean:F1} ms, max {r.MaxMergeTime.TotalMilliseconds:F1} ms; " +
            $"{r.SessionRecords} session records, {r.SessionsEvictedEarly} sessions evicted early (table full)");
    }

    private static async Task<int> ListInterfacesAsync(TextWriter output, TextWriter error)
    {
        try
        {
            foreach (var device in LiveCapture.ListInterfaces()) await output.WriteLineAsync(device);
            return Done;
        }
        catch (Exception e) when (ProbeEngine.IsBadInput(e))
        {
            return await Fail(error, BadInput, e.Message);
        }
        catch (Exception e)
        {
            return await Fail(error, Failed, e.Message);
        }
    }

    private static async Task<int> Fail(TextWriter error, int exitCode, string message)
    {
        await error.WriteLineAsync($"monitor-probe: error: {message.ReplaceLineEndings(" ")}");
        return exitCode;
    }

    private static string Inner(Exception e) =>
        (e.InnerException is null ? e.Message : $"{e.Message} {e.InnerException.Message}").ReplaceLineEndings(" ");
}
