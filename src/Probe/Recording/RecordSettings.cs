namespace Monitor.Probe.Recording;

/// <summary>
/// A recording's limits, from <c>Probe:Record</c> (the directory), <c>Probe:RecordMaxBytes</c>,
/// <c>Probe:RecordMaxAge</c> and <c>Probe:RecordFileSeconds</c>.
/// </summary>
public sealed record RecordSettings(string Directory, long MaxBytes, TimeSpan MaxAge, int FileSeconds, int SnapLength)
{
    /// <summary>A slice closes early at this size, so that dropping the oldest slice always makes room under MaxBytes.</summary>
    public long MaxSliceBytes => Math.Max(MaxBytes / 8, 1 << 20);
}
