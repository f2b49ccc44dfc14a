using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Monitor.Web.Features.Alerts;

/// <summary>One (rule, probe) state as kept across restarts of the site.</summary>
public sealed record SavedRuleState(
    string Rule,
    string Probe,
    IReadOnlyList<bool> Window,
    bool Active,
    bool Suppressed,
    DateTimeOffset? Since,
    DateTimeOffset? LastFired,
    DateTimeOffset? LastEvaluated,
    DateTimeOffset OpenUntil,
    double? LastValue,
    IReadOnlyList<string>? OpenSpikes = null,
    IReadOnlyDictionary<string, DateTimeOffset>? HostsFired = null);

/// <summary>What the alerting loop must remember across a restart: per probe the last interval evaluated, per rule and probe its state.</summary>
public sealed record SavedAlertState(IReadOnlyDictionary<string, DateTimeOffset> Evaluated, IReadOnlyList<SavedRuleState> Rules)
{
    public static readonly SavedAlertState Empty = new(new Dictionary<string, DateTimeOffset>(), []);
}

/// <summary>
/// Keeps the alert state in a JSON file next to the outbox, so that an alert active when the site
/// stops is resolved (once) after it starts again instead of being forgotten or mailed twice, and
/// intervals stored while the site was down are still evaluated. Written whole to a temporary file and
/// renamed, so a crash leaves the old state or the new one, never half of one.
/// </summary>
public sealed class AlertStateFile(string path, ILogger logger)
{
    public const string FileName = "alert-state.json";

    public string Path { get; } = path;

    /// <summary>The saved state; empty when there is none or it cannot be read (logged once, alerting starts afresh).</summary>
    public SavedAlertState Load()
    {
        if (!File.Exists(Path)) return SavedAlertState.Empty;
        try
        {
            using var stream = File.OpenRead(Path);
            return JsonSerializer.Deserialize<SavedAlertState>(stream) ?? SavedAlertState.Empty;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            logger.LogWarning("Alert state {Path} could not be read, alerting starts afresh: {Error}", Path, e.Message);
            return SavedAlertState.Empty;
        }
    }

    public void Save(SavedAlertState state)
    {
        var temporary = Path + ".tmp";
        using (var stream = File.Create(temporary)) JsonSerializer.Serialize(stream, state);
        File.Move(temporary, Path, overwrite: true);
    }
}
