using Monitor.Probe.Capture;

namespace Monitor.Probe.Hosting;

/// <summary>The one place the pipeline opens live capture, mapping the probe's options onto the capture's.</summary>
internal static class LiveCapture
{
    public static IPacketSource Open(ProbeOptions options) =>
        new LiveCaptureSource(new LiveCaptureOptions
        {
            Interface = options.Interface!,
            Promiscuous = options.Promiscuous,
            SnapLength = options.SnapLength,
            BufferSize = options.BufferSize,
            Filter = options.Filter,
        });

    /// <summary>One line per interface: name, addresses, description.</summary>
    public static IReadOnlyList<string> ListInterfaces() =>
    [
        .. LiveCaptureSource.ListInterfaces().Select(i =>
            $"{i.Name}\t{(i.Addresses.Count == 0 ? "-" : string.Join(",", i.Addresses))}\t{i.Description ?? ""}{(i.Loopback ? " (loopback)" : "")}"),
    ];
}
