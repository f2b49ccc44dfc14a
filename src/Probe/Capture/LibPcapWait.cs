using System.Runtime.InteropServices;

namespace Monitor.Probe.Capture;

/// <summary>
/// Waits for a live pcap handle to become readable, with a timeout. Needed because on Linux with
/// TPACKET_V3 libpcap's read timeout only fires once a packet has arrived: pcap_next_ex on a quiet
/// interface (or behind a filter nothing passes) would block for ever. The handle is put in
/// non-blocking mode and the capture thread polls its selectable descriptor instead.
/// </summary>
internal static unsafe class LibPcapWait
{
    private static readonly delegate* unmanaged<IntPtr, int> GetSelectableFd = Resolve();

    /// <summary>The descriptor to poll, or -1 where there is none (Windows): then the read timeout is relied on.</summary>
    public static int SelectableDescriptor(IntPtr pcap) =>
        GetSelectableFd == null || OperatingSystem.IsWindows() ? -1 : GetSelectableFd(pcap);

    /// <summary>True when the descriptor has data (or an error to report) within the timeout.</summary>
    public static bool WaitReadable(int descriptor, int timeoutMilliseconds)
    {
        var fd = new PollDescriptor { Descriptor = descriptor, Events = PollIn | PollPri };
        return poll(&fd, 1, timeoutMilliseconds) != 0;
    }

    private const short PollIn = 0x001;
    private const short PollPri = 0x002;

    [StructLayout(LayoutKind.Sequential)]
    private struct PollDescriptor
    {
        public int Descriptor;
        public short Events;
        public short ReturnedEvents;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int poll(PollDescriptor* descriptors, nuint count, int timeout);

    private static delegate* unmanaged<IntPtr, int> Resolve()
    {
        foreach (var name in new[] { "libpcap.so.0.8", "libpcap.so.1", "libpcap.so", "libpcap.dylib", "libpcap.A.dylib" })
        {
            if (NativeLibrary.TryLoad(name, out var library) && NativeLibrary.TryGetExport(library, "pcap_get_selectable_fd", out var export))
            {
                return (delegate* unmanaged<IntPtr, int>)export;
            }
        }
        return null;
    }
}
