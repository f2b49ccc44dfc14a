using Monitor.Probe.Hosting;
using Monitor.Web;
using Monitor.Web.Features.Anomalies;
using Monitor.Web.Features.Packets;
using Monitor.Web.Security;

if (SecurityCli.TryRun(args, Console.In, Console.Out, Console.Error) is { } exitCode) return exitCode;

try
{
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions
    {
        Args = args, WebRootPath = WebRoot.Locate(), ContentRootPath = WebRoot.ContentRoot(),
    });
    builder.AddMonitorSecurity();
    builder.AddMonitorWeb();
    builder.Services.AddAnomalies(builder.Configuration);
    builder.Services.AddPackets(builder.Configuration);

    var app = builder.Build();
    app.UseMonitorWeb();
    app.MapMonitorEndpoints();
    app.MapAnomaliesApi();
    app.MapPacketsApi();
    app.Run();
    return 0;
}
catch (Exception e) when (StartupProblems.Of(e) is { } problems)
{
    // Every bad setting of every section, one line each with its key.
    foreach (var problem in problems) Console.Error.WriteLine($"monitor-web: {problem}");
    return 2;
}
catch (Exception e) when (e is StartupRefusedException or ArgumentException)
{
    Console.Error.WriteLine($"monitor-web: {e.Message}");
    return 2;
}

/// <summary>The site's entry point, named for WebApplicationFactory in the tests.</summary>
public partial class Program;
