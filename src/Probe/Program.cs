using Monitor.Probe.Cli;

return await ProbeCli.RunAsync(args);
