using Microsoft.Extensions.Options;

namespace Monitor.Probe.Hosting;

/// <summary>Stops the host at start with every problem of the Probe section, each naming its setting.</summary>
public sealed class ProbeOptionsValidator : IValidateOptions<ProbeOptions>
{
    public ValidateOptionsResult Validate(string? name, ProbeOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>The report settings share the Probe section and stop the host the same way.</summary>
public sealed class ReportOptionsValidator : IValidateOptions<Reports.ReportOptions>
{
    public ValidateOptionsResult Validate(string? name, Reports.ReportOptions options)
    {
        var errors = options.ValidateReportSettings();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
