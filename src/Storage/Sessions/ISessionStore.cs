namespace Monitor.Storage.Sessions;

/// <summary>
/// Where session records are kept and searched: DuckDB embedded (<c>duckdb:PATH</c>, the default),
/// ClickHouse at scale (<c>clickhouse://HOST:PORT/DATABASE</c>). Queries work on sessions, not
/// records: the records of one session (its status records and its last one) are summed, so a
/// session's packets and bytes over a window are those of its records that ended in the window.
/// </summary>
public interface ISessionStore : IAsyncDisposable
{
    /// <summary>Appends records; the batch is written whole or the call throws.</summary>
    Task WriteAsync(string probe, IReadOnlyList<SessionRecord> records, CancellationToken cancellationToken = default);

    /// <summary>One page of the sessions that match, and how many match in all.</summary>
    Task<SessionPage> SearchAsync(SessionQuery query, CancellationToken cancellationToken = default);

    /// <summary>A built-in saved search (<see cref="CannedReports"/>) over a window.</summary>
    Task<SessionReport> ReportAsync(CannedReportQuery query, CancellationToken cancellationToken = default);

    /// <summary>Deletes what is past the age and size bounds; returns the records deleted.</summary>
    Task<long> PruneAsync(DateTimeOffset now, CancellationToken cancellationToken = default);
}

public enum SessionSort { Start, End, Duration, Packets, Bytes, Src, Dst, Sport, Dport, Proto, State }

/// <param name="Filter">A parsed filter, or null for every session.</param>
/// <param name="Probe">Only this probe's sessions, or every probe's when null.</param>
public sealed record SessionQuery(
    DateTimeOffset From,
    DateTimeOffset To,
    SessionFilter? Filter = null,
    SessionSort Sort = SessionSort.Start,
    bool Descending = false,
    int Offset = 0,
    int Limit = 100,
    string? Probe = null);

/// <summary>One session as searched: its records summed.</summary>
public sealed record StoredSession(
    string Probe,
    DateTimeOffset Start,
    DateTimeOffset End,
    byte Proto,
    UInt128 Src,
    ushort SrcPort,
    UInt128 Dst,
    ushort DstPort,
    long PacketsSrc,
    long BytesSrc,
    long PacketsDst,
    long BytesDst,
    byte FlagsSrc,
    byte FlagsDst,
    SessionState State,
    byte IcmpType,
    byte IcmpCode,
    ushort Vlan,
    int Records)
{
    public TimeSpan Duration => End - Start;
    public long Packets => PacketsSrc + PacketsDst;
    public long Bytes => BytesSrc + BytesDst;
    public string CommunityId => Sessions.CommunityId.Of(Proto, Src, SrcPort, Dst, DstPort);
}

public sealed record SessionPage(IReadOnlyList<StoredSession> Sessions, long Total);

/// <param name="HomeNet">CIDRs of the home network (LAN); everything else is WAN.</param>
public sealed record CannedReportQuery(string Name, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<System.Net.IPNetwork> HomeNet,
    int Limit = 10, string? Probe = null);

/// <summary>A report's table: column names and rows of cells (string, long or double).</summary>
public sealed record SessionReport(string Name, string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<object>> Rows);

/// <summary>The built-in saved searches, as Sguil's canned reports over Sancp.</summary>
public static class CannedReports
{
    public const string Downloads = "wan-to-lan";
    public const string Uploads = "lan-to-wan";
    public const string IcmpLanToWan = "icmp-lan-to-wan";
    public const string SuspectIcmp = "suspect-icmp";
    public const string TopConversations = "top-conversations";

    public static IReadOnlyDictionary<string, string> Titles { get; } = new Dictionary<string, string>
    {
        [Downloads] = "Top bandwidth per service, WAN → LAN (downloads), by home-net host",
        [Uploads] = "Top bandwidth per service, LAN → WAN (uploads), by home-net host",
        [IcmpLanToWan] = "Top ICMP conversations LAN → WAN",
        [SuspectIcmp] = "Suspect ICMP: unequal average packet size per direction",
        [TopConversations] = "Top conversations by bytes",
    };
}

/// <summary>Bounds of the session store, bound from <c>Sessions</c>.</summary>
public sealed class SessionStoreOptions
{
    public const string Section = "Sessions";

    /// <summary><c>duckdb:PATH</c> (default <c>duckdb:data/sessions.duckdb</c>), <c>clickhouse://HOST:PORT/DATABASE</c> or <c>none</c>.</summary>
    public string Store { get; set; } = "duckdb:data/sessions.duckdb";
    /// <summary>Records older than this many days are deleted (default 30).</summary>
    public int MaxAgeDays { get; set; } = 30;
    /// <summary>Past this size the oldest records are deleted (default 10 GiB).</summary>
    public long MaxBytes { get; set; } = 10L << 30;
    /// <summary>
    /// DuckDB's memory limit in MiB (default 256): its buffer pool otherwise grows towards 80 % of the machine's
    /// memory as the file does, and a sensor runs for months. Larger searches spill to a temporary folder beside the file.
    /// </summary>
    public int MaxMemoryMiB { get; set; } = 256;

    public IEnumerable<string> Validate()
    {
        if (MaxAgeDays < 1) yield return $"{Section}:MaxAgeDays must be at least 1, not {MaxAgeDays}";
        if (MaxBytes < 1 << 20) yield return $"{Section}:MaxBytes must be at least 1 MiB, not {MaxBytes}";
        if (MaxMemoryMiB < 16) yield return $"{Section}:MaxMemoryMiB must be at least 16, not {MaxMemoryMiB}";
        if (string.IsNullOrWhiteSpace(Store)) yield return $"{Section}:Store must be duckdb:PATH, clickhouse://HOST:PORT/DATABASE or none";
    }
}

/// <summary>Opens the session store a spec names.</summary>
public static class SessionStores
{
    /// <returns>The store, or null for <c>none</c>.</returns>
    public static ISessionStore? Open(SessionStoreOptions options)
    {
        var spec = options.Store.Trim();
        if (spec.Equals("none", StringComparison.OrdinalIgnoreCase)) return null;
        if (spec.StartsWith("duckdb:", StringComparison.OrdinalIgnoreCase))
            return DuckDbSessionStore.Open(spec["duckdb:".Length..], options);
        if (spec.StartsWith("clickhouse://", StringComparison.OrdinalIgnoreCase))
            return ClickHouseSessionStore.Open(new Uri(spec.Replace("clickhouse://", "http://", StringComparison.OrdinalIgnoreCase)), options);
        throw new ArgumentException($"Sessions:Store '{spec}' is not duckdb:PATH, clickhouse://HOST:PORT/DATABASE or none");
    }
}
