using Monitor.Probe.Decode;
using Monitor.Storage.Snapshots;

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

    /// <summary>Address order for stable ties: numeric, v4 (mapped) before v6.</summary>
    public static int CompareIp(IpAddressKey a, IpAddressKey b)
    {
        var byHigh = a.High.CompareTo(b.High);
        return byHigh != 0 ? byHigh : a.Low.CompareTo(b.Low);
    }

    /// <summary>The first <see cref="Top"/> items by <paramref name="comparison"/>, as rows.</summary>
    public IReadOnlyList<ReportRow> TopRows<T>(List<T> items, Comparison<T> comparison, Func<T, List<ReportField>> row)
    {
        items.Sort(comparison);
        var rows = new List<ReportRow>(Math.Min(Top, items.Count));
        for (var i = 0; i < items.Count && i < Top; i++) rows.Add(new ReportRow(row(items[i])));
        return rows;
    }
}
