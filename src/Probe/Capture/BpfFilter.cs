using PacketDotNet;
using SharpPcap;
using SharpPcap.LibPcap;

namespace Monitor.Probe.Capture;

/// <summary>
/// A BPF expression compiled by libpcap for one link type, run on raw packets off the live path
/// (offline --filter, user BPF graphs, evidence captures). Matching is one native call and no
/// allocation; an instance may be used from several threads at once.
/// </summary>
public sealed class BpfFilter : IDisposable
{
    /// <summary>Offset of caplen in struct pcap_pkthdr: after a struct timeval (two longs on Unix, two ints on Windows).</summary>
    private static readonly int CapturedLengthOffset = OperatingSystem.IsWindows() ? 8 : 2 * IntPtr.Size;

    private readonly BpfProgram _program;

    private BpfFilter(BpfProgram program, string expression, int linkType, int snapLength)
    {
        _program = program;
        Expression = expression;
        LinkType = linkType;
        SnapLength = snapLength;
    }

    public string Expression { get; }
    public int LinkType { get; }
    /// <summary>The filter sees at most this many bytes of a packet, as a live capture with this snap length would.</summary>
    public int SnapLength { get; }

    /// <exception cref="CaptureFilterException">libpcap does not accept the expression for this link type.</exception>
    public static BpfFilter Compile(string expression, int linkType, int snapLength = 262144)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(snapLength);
        BpfProgram program;
        try
        {
            program = BpfProgram.Create((LinkLayers)ToDlt(linkType), expression);
        }
        catch (PcapException e)
        {
            throw new CaptureFilterException(expression, e.Message);
        }
        catch (DllNotFoundException e)
        {
            throw new CaptureFilterException(expression, $"libpcap is not installed ({e.Message})");
        }
        return new BpfFilter(program, expression, linkType, snapLength);
    }

    /// <summary>
    /// Capture files carry LINKTYPE_ values; libpcap compiles for its platform's DLT_ values, which
    /// differ only for raw IP (LINKTYPE_RAW 101, and OpenBSD's DLT_RAW 14, are DLT_RAW 12 on Linux and most systems).
    /// </summary>
    private static int ToDlt(int linkType) => LinkTypes.IsRawIp(linkType) ? LinkTypes.RawDlt : linkType;

    public unsafe bool Matches(in RawPacket packet)
    {
        var data = packet.Data;
        var header = stackalloc byte[CapturedLengthOffset + 8];
        new Span<byte>(header, CapturedLengthOffset).Clear();
        *(uint*)(header + CapturedLengthOffset) = (uint)Math.Min(data.Length, SnapLength);
        *(uint*)(header + CapturedLengthOffset + 4) = (uint)Math.Max(packet.WireLength, data.Length);
        // libpcap reads at least one byte; an empty packet still needs a valid pointer.
        byte empty = 0;
        fixed (byte* bytes = data)
        {
            return _program.Matches((IntPtr)header, (IntPtr)(bytes == null ? &empty : bytes));
        }
    }

    public void Dispose() => _program.Dispose();
}
