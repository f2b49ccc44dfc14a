namespace Monitor.Probe.Merge;

/// <summary>
/// Where the counting threads post what they closed. Owned by the merge stage, which consumes it, so the
/// workers know only this and not the merger.
/// </summary>
internal interface IMergeInbox
{
    /// <summary>Boundaries one worker closed, in order (a batch's worth: several seconds read offline).</summary>
    void Post(IReadOnlyList<WorkerHandover> handovers);

    /// <summary>A worker failed: the run stops with this error.</summary>
    void Fail(Exception e);
}
