using System.CommandLine;
using System.Globalization;

namespace Monitor.Probe.Cli;

/// <summary>The flags of <c>monitor-probe</c> (README, "Probe command line") and their mapping onto <c>Probe:*</c> keys.</summary>
internal sealed class ProbeCommandLine
{
    public Option<string> Interface { get; } = new("--interface", "-i") { Description = "Capture live on this interface" };
    public Option<bool> ListInterfaces { get; } = new("--list-interfaces") { Description = "Print the interfaces that can be captured on and exit" };
    public Option<string[]> Read { get; } = new("--read", "-r")
    {
        Description = "Read these pcap/pcapng files in order instead of capturing live",
        AllowMultipleArgumentsPerToken = true,
        Arity = ArgumentArity.OneOrMore,
    };
    public Option<string> Filter { get; } = new("--filter", "-f") { Description = "libpcap capture filter, e.g. \"tcp or udp\"" };
    public Option<string> Json { get; } = new("--json") { Description = "Write one JSON line per closed interval to PATH, or - for stdout" };
    public Option<string> Sessions { get; } = new("--sessions") { Description = "Write one JSON line per session record to PATH, or - for stdout" };
    public Option<string> SessionStore { get; } = new("--session-store") { Description = "duckdb:PATH (default: sessions.duckdb next to the SQLite store), clickhouse://HOST:PORT/DATABASE, or none" };
    public Option<int?> Interval { get; } = new("--interval") { Description = "Interval length in seconds (default 30)" };
    public Option<int?> Workers { get; } = new("--workers") { Description = "Partitions of the traffic, each counted by its own threads (default: cores - 1 on 4+ cores, else 1)" };
    public Option<int?> TableGroups { get; } = new("--table-groups") { Description = "Threads per partition that split the report tables, 1 or 2 (default: 2 on 2-3 cores, else 1)" };
    public Option<int?> Top { get; } = new("--top") { Description = "Length of every top-N list, 1..100000 (default 10)" };
    public Option<int?> SnapLength { get; } = new("--snaplen") { Description = "Live snap length in bytes (default 262144)" };
    public Option<int?> BufferSize { get; } = new("--buffer-size") { Description = "Live kernel buffer in bytes (default 64 MiB)" };
    public Option<bool> NoPromiscuous { get; } = new("--no-promisc") { Description = "Do not put the interface into promiscuous mode" };
    public Option<string> Config { get; } = new("--config") { Description = "JSON configuration file (section Probe, e.g. Probe:Bpf graphs)" };
    public Option<string> Store { get; } = new("--store") { Description = "sqlite:PATH (default sqlite:data/monitor.db), influx://[USER:PASSWORD@]HOST:PORT/DATABASE, or none" };
    public Option<string> ProbeName { get; } = new("--probe-name") { Description = "Name of this probe on every point (default: host name)" };
    public Option<string[]> HomeNet { get; } = new("--home-net")
    {
        Description = "CIDRs of the home network",
        AllowMultipleArgumentsPerToken = true,
        Arity = ArgumentArity.OneOrMore,
    };
    public Option<string> Blacklist { get; } = new("--blacklist") { Description = "File of blacklisted IP addresses or CIDRs, one a line" };

    public Option<string> Record { get; } = new("--record") { Description = "Record every packet into time-sliced pcap files in DIR" };
    public Option<long?> RecordMaxBytes { get; } = new("--record-max-bytes") { Description = "Disk budget of the recording in bytes (default 10 GiB)" };
    public Option<string> RecordMaxAge { get; } = new("--record-max-age") { Description = "How long the recording keeps packets, as d.hh:mm:ss (default 1.00:00:00)" };
    public Option<int?> RecordFileSeconds { get; } = new("--record-file-seconds") { Description = "Seconds per recording file (default 60)" };

    public RootCommand Build()
    {
        var root = new RootCommand("monitor-probe: counts a live link or capture files into intervals and Ourmon's top-N reports");
        Option[] all =
        [
            Interface, ListInterfaces, Read, Filter, Json, Sessions, SessionStore, Interval, Workers, TableGroups, Top, SnapLength, BufferSize,
            NoPromiscuous, Config, Store, ProbeName, HomeNet, Blacklist, Record, RecordMaxBytes, RecordMaxAge, RecordFileSeconds,
        ];
        foreach (var option in all) root.Options.Add(option);
        return root;
    }

    /// <summary>Only the flags given, as configuration keys: they override the configuration file.</summary>
    public Dictionary<string, string?> ToConfiguration(ParseResult parse)
    {
        var values = new Dictionary<string, string?>();
        void Set(string key, string? value)
        {
            if (value is not null) values[$"Probe:{key}"] = value;
        }
        void SetList(string key, string[]? items)
        {
            if (items is null) return;
            for (var i = 0; i < items.Length; i++) values[$"Probe:{key}:{i}"] = items[i];
        }
        static string? Number(int? value) => value?.ToString(CultureInfo.InvariantCulture);

        Set("Interface", parse.GetValue(Interface));
        SetList("Read", parse.GetValue(Read));
        Set("Filter", parse.GetValue(Filter));
        Set("Json", parse.GetValue(Json));
        Set("Sessions", parse.GetValue(Sessions));
        Set("SessionStore", parse.GetValue(SessionStore));
        Set("Interval", Number(parse.GetValue(Interval)));
        Set("Workers", Number(parse.GetValue(Workers)));
        Set("TableGroups", Number(parse.GetValue(TableGroups)));
        Set("Top", Number(parse.GetValue(Top)));
        Set("SnapLength", Number(parse.GetValue(SnapLength)));
        Set("BufferSize", Number(parse.GetValue(BufferSize)));
        if (parse.GetValue(NoPromiscuous)) Set("Promiscuous", "false");
        Set("Store", parse.GetValue(Store));
        Set("Name", parse.GetValue(ProbeName));
        SetList("HomeNet", parse.GetValue(HomeNet));
        Set("Blacklist", parse.GetValue(Blacklist));
        Set("Record", parse.GetValue(Record));
        Set("RecordMaxBytes", parse.GetValue(RecordMaxBytes)?.ToString(CultureInfo.InvariantCulture));
        Set("RecordMaxAge", parse.GetValue(RecordMaxAge));
        Set("RecordFileSeconds", Number(parse.GetValue(RecordFileSeconds)));
        return values;
    }
}
