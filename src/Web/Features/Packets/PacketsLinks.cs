using System.Net;
using Monitor.Web.Common;

namespace Monitor.Web.Features.Packets;

/// <summary>Links to <c>/api/pcap</c> for a row's time window and the BPF of its hosts and port.</summary>
public static class PacketsLinks
{
    public static string Pcap(TimeRange window, string? filter, string? probe)
    {
        var url = $"/api/pcap?from={TimeRange.Format(window.From)}&to={TimeRange.Format(window.To)}";
        if (!string.IsNullOrWhiteSpace(filter)) url += "&filter=" + Uri.EscapeDataString(filter);
        if (!string.IsNullOrEmpty(probe)) url += "&probe=" + Uri.EscapeDataString(probe);
        return url;
    }

    /// <summary>
    /// The window of a session's packets: its first to its last packet, a second more on each side (a record's times
    /// and the recording's may differ by a clock tick), widened to whole seconds because links carry seconds.
    /// </summary>
    public static TimeRange SessionWindow(DateTimeOffset start, DateTimeOffset end)
    {
        var from = start.AddSeconds(-1);
        var to = end.AddSeconds(1);
        from = from.AddTicks(-(from.UtcTicks % TimeSpan.TicksPerSecond));
        if (to.UtcTicks % TimeSpan.TicksPerSecond != 0) to = to.AddTicks(TimeSpan.TicksPerSecond - to.UtcTicks % TimeSpan.TicksPerSecond);
        return new TimeRange(from, to);
    }

    /// <summary><c>host A and host B and port P</c> from what a row knows; parts that are not addresses or ports are left out.</summary>
    public static string Conversation(string? a, string? b = null, int? port = null)
    {
        var parts = new List<string>();
        foreach (var host in new[] { a, b })
            if (host is not null && IPAddress.TryParse(host, out var address)) parts.Add($"host {address}");
        if (port is >= 0 and <= 65535) parts.Add($"port {port}");
        return string.Join(" and ", parts);
    }
}
