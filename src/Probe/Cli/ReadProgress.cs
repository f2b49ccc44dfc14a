using Monitor.Probe.Capture;
using Monitor.Probe.Hosting;
using Spectre.Console;

namespace Monitor.Probe.Cli;

/// <summary>A progress bar on the terminal (stderr, so --json - stays clean) while capture files are read.</summary>
internal sealed class ReadProgress
{
    private volatile ProbeEngine? _engine;

    public void Watch(ProbeEngine engine) => _engine = engine;

    public async Task<ProbeRunResult> ShowUntil(Task<ProbeRunResult> run)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        await console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("reading", maxValue: 1);
                while (!run.IsCompleted)
                {
                    if (_engine is { Source: PcapFileSource file } engine && file.TotalBytes > 0)
                    {
                        task.MaxValue = file.TotalBytes;
                        task.Value = Math.Min(file.BytesRead, file.TotalBytes);
                        task.Description = $"{engine.Counters.Packets:N0} packets";
                    }
                    await Task.WhenAny(run, Task.Delay(200));
                }
                task.Value = task.MaxValue;
            });
        return await run;
    }
}
