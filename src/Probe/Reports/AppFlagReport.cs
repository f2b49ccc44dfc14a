using Monitor.Probe.Decode;
using Monitor.Probe.Reports.Tables;

namespace Monitor.Probe.Reports;

/// <summary>The application flags each host showed in the interval (see <see cref="AppSignatures"/>), for syn and talkers rows.</summary>
internal sealed class AppFlagReport(int capacity)
{
    internal struct FlagCounts : ITableValue<FlagCounts>
    {
        public long Payloads;
        public AppFlags Flags;

        public readonly long Rank => Payloads;

        public void Add(in FlagCounts other)
        {
            Payloads += other.Payloads;
            Flags |= other.Flags;
        }
    }

    private readonly BoundedTable<HostKey, FlagCounts> _table = new(capacity);

    public BoundedTable<HostKey, FlagCounts> Table => _table;

    public void Add(IpAddressKey host, AppFlags flags)
    {
        ref var entry = ref _table.GetOrAdd(new HostKey(host), out _);
        entry.Payloads++;
        entry.Flags |= flags;
    }

    /// <summary>The host's flags as letters ("" when none).</summary>
    public string Letters(IpAddressKey host)
    {
        ref var entry = ref _table.TryGet(new HostKey(host), out var found);
        return found ? AppSignatures.Letters(entry.Flags) : "";
    }

    public void MergeFrom(AppFlagReport other) => _table.MergeFrom(other._table);

    public void Clear() => _table.Clear();
}
