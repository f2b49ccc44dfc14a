using Monitor.Probe.Decode;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Probe.Reports;

/// <summary>Shared pieces of report rows: protocol names, home-network flags, time stamps, sorting.</summary>
internal sealed class RowContext(AddressSet homeNet, int top)
{
    public int Top { get; } = top;
    public bool HasHomeNet { get; } = !homeNet.IsEmpty;
    public AddressSet HomeNet { get; } = homeNet;

    /// <summary>Adds "{name}" = inside when a home network is configured (rows keep the same shape otherwise).</summary>
    public void Inside(List<ReportField> fields, string name, IpAddressKey ip)
    {
        if (HasHomeNet) fields.Add(new ReportField(name, HomeNet.Contains(ip)));
    }

    public static string Protocol(byte ipProtocol) => ipProtocol switch
    {
        6 => "tcp",
        17 => "udp",
        1 => "icmp",
        58 => "icmpv6",
        _ => ipProtocol.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static string Time(long ticks) =>
        new DateTimeOffset(ticks, TimeSpan.Zero).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Ourmon's order for host lists: the main figure largest first, ties by a count largest first, then by address.</summary>
    public static int Ranked<T>(T main, T otherMain, long count, long otherCount, IpAddressKey ip, IpAddressKey otherIp)
        where T : IComparable<T>
    {
        var c = otherMain.CompareTo(main);
        if (c != 0) return c;
        c = otherCount.CompareTo(count);
        return c != 0 ? c : CompareIp(ip, otherIp);
    }

    /// <summary>Address order for stable ties: numeric, v4 (mapped) before v6 (see <see cref="IpAddressKey.CompareTo"/>).</summary>
    public static int CompareIp(IpAddressKey a, IpAddressKey b) => a.CompareTo(b);

    /// <summary>
    /// The first <see cref="Top"/> items by <paramref name="comparison"/>, as rows: a bounded heap keeps
    /// the best Top while streaming, O(n log Top), so closing an interval does not sort whole tables.
    /// </summary>
    public IReadOnlyList<ReportRow> TopRows<T>(IEnumerable<T> items, Comparison<T> comparison, Func<T, List<ReportField>> row)
    {
        // The heap's root is the worst item kept, so that a better newcomer replaces it.
        var worstFirst = Comparer<T>.Create((a, b) => comparison(b, a));
        var heap = new PriorityQueue<T, T>(worstFirst);
        foreach (var item in items)
        {
            if (heap.Count < Top) heap.Enqueue(item, item);
            else if (comparison(item, heap.Peek()) < 0) heap.DequeueEnqueue(item, item);
        }
        var best = new List<T>(heap.Count);
        while (heap.Count > 0) best.Add(heap.Dequeue());
        best.Reverse();
        var rows = new List<ReportRow>(best.Count);
        foreach (var item in best) rows.Add(new ReportRow(row(item)));
        return rows;
    }
}
