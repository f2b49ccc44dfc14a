using System.Net;

namespace Monitor.TestKit.Synthetic;

/// <summary>
/// The addresses a generated capture uses, by index, with what each host sent and received so far.
/// Indices keep the per-packet path to array accesses; addresses are materialised only for the truth.
/// </summary>
internal sealed class SyntheticHosts
{
    private byte[] _addresses = new byte[16 * 4096];
    private bool[] _v6 = new bool[4096];

    public HostCounters[] Counters = new HostCounters[4096];
    public int Count { get; private set; }

    public int Add(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        return Add(bytes[..written]);
    }

    public int Add(ReadOnlySpan<byte> address)
    {
        if (Count == _v6.Length)
        {
            var capacity = Count * 2;
            Array.Resize(ref _addresses, capacity * 16);
            Array.Resize(ref _v6, capacity);
            Array.Resize(ref Counters, capacity);
        }
        var id = Count++;
        address.CopyTo(_addresses.AsSpan(id * 16));
        _v6[id] = address.Length == 16;
        return id;
    }

    public bool IsV6(int id) => _v6[id];

    public ReadOnlySpan<byte> Address(int id) => _addresses.AsSpan(id * 16, _v6[id] ? 16 : 4);

    public IPAddress ToIPAddress(int id) => new(Address(id));
}

/// <summary>Per-host counters in the terms of the probe's talkers, syn and udp reports.</summary>
internal struct HostCounters
{
    public long PacketsSent, BytesSent, PacketsReceived, BytesReceived;
    public long TcpSent, TcpReceived, SynSent, SynAckSent, FinSent, RstSent, RstReceived;
    public long UdpSent, UdpReceived, IcmpErrorsReceived;
}
