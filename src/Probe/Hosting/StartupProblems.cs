using Microsoft.Extensions.Options;

namespace Monitor.Probe.Hosting;

/// <summary>The settings problems a failed start reports, one line each (a host throws one exception per bad section, several together).</summary>
public static class StartupProblems
{
    /// <summary>Every failure of every options validation in <paramref name="e"/>; null when it is not a validation failure.</summary>
    public static IReadOnlyList<string>? Of(Exception e) => e switch
    {
        OptionsValidationException invalid => [.. invalid.Failures],
        AggregateException many when many.Flatten().InnerExceptions is { Count: > 0 } inner && inner.All(i => i is OptionsValidationException) =>
            [.. inner.SelectMany(i => ((OptionsValidationException)i).Failures)],
        _ => null,
    };
}
