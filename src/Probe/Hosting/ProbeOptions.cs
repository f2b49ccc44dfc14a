using System.Net;
using Monitor.Probe.Bpf;
using Monitor.Probe.Sessions;

namespace Monitor.Probe.Hosting;

/// <summary>
/// The probe's settings, bound from configuration section <c>Probe</c>; the command line maps its
/// flags onto the same keys. Validated at start (<see cref="ProbeOptionsValidator"/>).
/// </summary>
public sealed class ProbeOptions
{
    public const string Section = "Probe";
    public const int MaxTop = 100_000;
    public const int MaxSnapLength = 262_144;

    /// <summary>Live capture interface (<c>--interface</c>).</summary>
    public string? Interface { get; set; }
    /// <summary>Capture files read in order (<c>--read</c>); when set, Interface is ignored.</summary>
    public List<string> Read { get; set; } = [];
    /// <summary>libpcap capture filter (<c>--filter</c>).</summary>
    public string? Filter { get; set; }
    /// <summary>Interval length in seconds (<c>--interval</c>, default 30 as in Ourmon).</summary>
    public int Interval { get; set; } = 30;
    /// <summary>
    /// Partitions of the traffic by address pair (<c>--workers</c>), each counted by its own threads
    /// into its own tables. Default: cores − 1 on four cores or more, else 1.
    /// </summary>
    public int? Workers { get; set; }
    /// <summary>
    /// Threads per partition that all see its packets and split the report tables between them
    /// (<c>--table-groups</c>, 1 or 2). Default: 2 on two or three cores, else 1.
    /// </summary>
    public int? TableGroups { get; set; }
    /// <summary>Length of every top-N list (<c>--top</c>, 1..100000).</summary>
    public int Top { get; set; } = 10;
    public int SnapLength { get; set; } = MaxSnapLength;
    /// <summary>Kernel capture buffer in bytes (<c>--buffer-size</c>).</summary>
    public int BufferSize { get; set; } = 64 << 20;
    public bool Promiscuous { get; set; } = true;
    /// <summary>Probe name on every point (<c>--probe-name</c>, Ourmon's sysname); default host name.</summary>
    public string Name { get; set; } = Environment.MachineName;
    /// <summary><c>sqlite:PATH</c>, <c>influx://[USER:PASSWORD@]HOST:PORT/DATABASE</c> or <c>none</c>.</summary>
    public string Store { get; set; } = "sqlite:data/monitor.db";
    /// <summary>CIDRs of the home network (<c>--home-net</c>).</summary>
    public List<string> HomeNet { get; set; } = [];
    /// <summary>File of blacklisted addresses (<c>--blacklist</c>).</summary>
    public string? Blacklist { get; set; }
    /// <summary>User BPF graphs (Ourmon's <c>bpf</c> directives).</summary>
    public List<BpfGraphOptions> Bpf { get; set; } = [];
    /// <summary>JSON Lines output path, or <c>-</c> for stdout (<c>--json</c>).</summary>
    public string? Json { get; set; }
    /// <summary>Session records as JSON Lines to this path, or <c>-</c> for stdout (<c>--sessions</c>).</summary>
    public string? Sessions { get; set; }
    /// <summary>
    /// Where session records are stored (<c>--session-store</c>): <c>duckdb:PATH</c>,
    /// <c>clickhouse://HOST:PORT/DATABASE</c> or <c>none</c>. Unset: a DuckDB file next to the SQLite
    /// series store (<c>sessions.duckdb</c> in its folder), none for other stores.
    /// </summary>
    public string? SessionStore { get; set; }
    /// <summary>Age, size and (DuckDB) memory bounds of the session store (<c>Sessions:MaxAgeDays</c>, <c>Sessions:MaxBytes</c>, <c>Sessions:MaxMemoryMiB</c>).</summary>
    public int SessionMaxAgeDays { get; set; } = new Monitor.Storage.Sessions.SessionStoreOptions().MaxAgeDays;
    public long SessionMaxBytes { get; set; } = new Monitor.Storage.Sessions.SessionStoreOptions().MaxBytes;
    public int SessionMaxMemoryMiB { get; set; } = new Monitor.Storage.Sessions.SessionStoreOptions().MaxMemoryMiB;

    /// <summary>The session store spec in effect (see <see cref="SessionStore"/>).</summary>
    public string EffectiveSessionStore
    {
        get
        {
            if (SessionStore is not null) return SessionStore;
            if (!SessionTable.Enabled || !Store.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase)) return "none";
            var folder = Path.GetDirectoryName(Store["sqlite:".Length..]);
            return "duckdb:" + Path.Combine(string.IsNullOrEmpty(folder) ? "." : folder, "sessions.duckdb");
        }
    }

    /// <summary>The session table's capacity and timeouts (<c>Probe:SessionTable</c>).</summary>
    public SessionOptions SessionTable { get; set; } = new();

    /// <summary>Directory of the full-packet recording (<c>--record</c>); none when empty.</summary>
    public string? Record { get; set; }
    /// <summary>The recording's disk budget in bytes (<c>--record-max-bytes</c>, default 10 GiB); oldest slices go first.</summary>
    public long RecordMaxBytes { get; set; } = 10L << 30;
    /// <summary>How long packets stay in the recording, by packet time (<c>--record-max-age</c>, default 1 day).</summary>
    public TimeSpan RecordMaxAge { get; set; } = TimeSpan.FromDays(1);
    /// <summary>Length of one recording file (<c>--record-file-seconds</c>, default 60).</summary>
    public int RecordFileSeconds { get; set; } = 60;

    public bool IsOffline => Read.Count > 0;

    public bool RecordEnabled => !string.IsNullOrWhiteSpace(Record);

    /// <summary>
    /// Partitions times table groups. On few cores, splitting the packets gives every thread every
    /// table: twice the memory, the same keys twice and a merge; splitting the tables gives each
    /// thread part of the work and merging them is joining tables each filled alone.
    /// </summary>
    public WorkerLayout Layout
    {
        get
        {
            var cores = Environment.ProcessorCount;
            var partitions = Workers ?? (cores >= 4 ? cores - 1 : 1);
            var groups = TableGroups ?? (Workers is null && cores is 2 or 3 ? 2 : 1);
            return new WorkerLayout(partitions, groups);
        }
    }

    public int EffectiveWorkers => Layout.Threads;

    public bool StoreEnabled => !string.Equals(Store, "none", StringComparison.OrdinalIgnoreCase);

    /// <summary>Every problem with these settings, each naming its setting; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Read.Count == 0 && string.IsNullOrWhiteSpace(Interface))
            errors.Add("Probe:Interface (--interface) or Probe:Read (--read) is required");
        foreach (var file in Read)
        {
            if (string.IsNullOrWhiteSpace(file)) errors.Add("Probe:Read (--read) has an empty file name");
            else if (!File.Exists(file))
                errors.Add($"Probe:Read (--read): file '{file}' does not exist (looked for {Path.GetFullPath(file)}; a relative path is read from the working directory {Directory.GetCurrentDirectory()})");
        }
        if (Interval < 1) errors.Add($"Probe:Interval (--interval) must be at least 1 second, not {Interval}");
        if (Workers is < 1 or > 256) errors.Add($"Probe:Workers (--workers) must be between 1 and 256, not {Workers}");
        if (TableGroups is not (null or 1 or 2)) errors.Add($"Probe:TableGroups (--table-groups) must be 1 or 2, not {TableGroups}");
        if (Top is < 1 or > MaxTop) errors.Add($"Probe:Top (--top) must be between 1 and {MaxTop}, not {Top}");
        if (SnapLength is < 64 or > MaxSnapLength)
            errors.Add($"Probe:SnapLength (--snaplen) must be between 64 and {MaxSnapLength}, not {SnapLength}");
        if (BufferSize < 1 << 16) errors.Add($"Probe:BufferSize (--buffer-size) must be at least 65536 bytes, not {BufferSize}");
        if (string.IsNullOrWhiteSpace(Name) || Name.Any(char.IsControl))
            errors.Add("Probe:Name (--probe-name) must be a non-empty name without control characters");
        if (string.IsNullOrWhiteSpace(Store)) errors.Add("Probe:Store (--store) must be a store spec or 'none'");
        foreach (var cidr in HomeNet)
            if (!IPNetwork.TryParse(cidr, out _)) errors.Add($"Probe:HomeNet (--home-net): '{cidr}' is not a CIDR such as 192.0.2.0/24");
        if (Blacklist is not null && !File.Exists(Blacklist))
            errors.Add($"Probe:Blacklist (--blacklist): file '{Blacklist}' does not exist");
        if (Json is not null && string.IsNullOrWhiteSpace(Json)) errors.Add("Probe:Json (--json) must be a path or '-'");
        if (RecordEnabled)
        {
            if (RecordMaxBytes < 16L << 20) errors.Add($"Probe:RecordMaxBytes (--record-max-bytes) must be at least 16 MiB, not {RecordMaxBytes}");
            if (RecordFileSeconds is < 1 or > 3600)
                errors.Add($"Probe:RecordFileSeconds (--record-file-seconds) must be between 1 and 3600, not {RecordFileSeconds}");
            else if (RecordMaxAge < TimeSpan.FromSeconds(2 * RecordFileSeconds))
                errors.Add($"Probe:RecordMaxAge (--record-max-age) must be at least two files long ({2 * RecordFileSeconds} s), not {RecordMaxAge}");
        }
        if (Sessions is not null && string.IsNullOrWhiteSpace(Sessions)) errors.Add("Probe:Sessions (--sessions) must be a path or '-'");
        if (Sessions is not null && !SessionTable.Enabled) errors.Add("Probe:Sessions (--sessions) needs Probe:SessionTable:Enabled");
        errors.AddRange(SessionTable.Validate());
        var sessionStore = EffectiveSessionStore;
        if (!(sessionStore.Equals("none", StringComparison.OrdinalIgnoreCase)
              || sessionStore.StartsWith("duckdb:", StringComparison.OrdinalIgnoreCase) && sessionStore.Length > "duckdb:".Length
              || sessionStore.StartsWith("clickhouse://", StringComparison.OrdinalIgnoreCase)))
            errors.Add($"Probe:SessionStore (--session-store): '{sessionStore}' is not duckdb:PATH, clickhouse://HOST:PORT/DATABASE or none");
        if (SessionMaxAgeDays < 1) errors.Add($"Probe:SessionMaxAgeDays must be at least 1, not {SessionMaxAgeDays}");
        if (SessionMaxBytes < 1 << 20) errors.Add($"Probe:SessionMaxBytes must be at least 1048576, not {SessionMaxBytes}");
        if (SessionMaxMemoryMiB < 16) errors.Add($"Probe:SessionMaxMemoryMiB must be at least 16, not {SessionMaxMemoryMiB}");
        errors.AddRange(BpfGraphSet.Validate(Bpf, SnapLength));
        return errors;
    }
}

/// <summary>Counting threads: <see cref="Partitions"/> shares of the conversations, each counted by <see cref="TableGroups"/> threads.</summary>
public readonly record struct WorkerLayout(int Partitions, int TableGroups)
{
    public int Threads => Partitions * TableGroups;
}
