namespace Monitor.Probe.Reports;

/// <summary>
/// Which of a set's tables a counting thread fills. On a machine with few cores two threads can count
/// the same packets into different tables of one set (see <see cref="ReportTableGroups.ForGroup"/>):
/// no table is written by two threads, so the set needs no lock and no merge.
/// </summary>
[Flags]
public enum ReportTables
{
    None = 0,
    /// <summary>Per-address counters: talkers, syn and udp reports.</summary>
    Hosts = 1,
    /// <summary>Flows by 5-tuple and the new-flow rate.</summary>
    Flows = 2,
    /// <summary>Scans, ports, ICMP, services and blacklist hits.</summary>
    Others = 4,
    All = Hosts | Flows | Others,
}

public static class ReportTableGroups
{
    /// <summary>The tables of group <paramref name="group"/> when <paramref name="groups"/> threads share every packet (1 or 2).</summary>
    public static ReportTables ForGroup(int group, int groups) => groups switch
    {
        1 => ReportTables.All,
        2 => group == 0 ? ReportTables.Hosts | ReportTables.Flows : ReportTables.Others,
        _ => throw new ArgumentOutOfRangeException(nameof(groups), groups, "one or two table groups"),
    };
}
