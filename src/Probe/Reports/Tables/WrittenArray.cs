namespace Monitor.Probe.Reports.Tables;

/// <summary>
/// Large zeroed arrays whose pages are written once when allocated. A fresh array's pages are mapped
/// to the kernel's shared zero page when first read; a table reads a slot before it writes it, so each
/// page then faults a second time on the write, and that copy-on-write fault flushes the TLB of every
/// core running the probe (measured: about a tenth of the probe's CPU on the 5-million-packet
/// benchmark capture, in the kernel, while tables grew). Written first, a page faults once, locally.
/// </summary>
internal static class WrittenArray
{
    public static T[] New<T>(int length)
    {
        var array = new T[length];
        // The runtime hands out zeroed memory without touching it; clearing it again is what maps it.
        Array.Clear(array);
        return array;
    }
}
