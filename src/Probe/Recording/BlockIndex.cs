using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Monitor.Probe.Capture;
using Monitor.Probe.Decode;

namespace Monitor.Probe.Recording;

/// <summary>
/// What one block of a recording file holds, as Stenographer's per-file indexes do but coarser: its
/// place in the file, its time range, and a Bloom filter of the IP addresses and ports of its packets.
/// A query that needs <c>host A and port P</c> reads only blocks whose filter may hold both. The filter
/// only ever says too much (a false positive costs one block read), never too little: a packet whose
/// addresses or ports it cannot tell marks the block as holding any.
/// </summary>
public sealed class BlockIndex
{
    /// <summary>8192 bits: at 3 hashes about 1 % false positives with 700 distinct keys in a block.</summary>
    public const int FilterWords = 128;
    public const int FilterBytes = FilterWords * 8;
    /// <summary>Offset, length, packets, first and last ticks, then the filter.</summary>
    public const int EntryBytes = 32 + FilterBytes;

    private const ulong AddressKind = 0x9E37_79B9_7F4A_7C15UL;
    private const ulong PortKind = 0xC2B2_AE3D_27D4_EB4FUL;
    /// <summary>Keys that stand for "any address" and "any port", set by packets the index cannot read.</summary>
    private static readonly IpAddressKey AnyAddress = new(ulong.MaxValue, ulong.MaxValue);
    private const int AnyPort = 0x10000;

    private readonly ulong[] _bits = new ulong[FilterWords];

    public long Offset { get; set; }
    public int Length { get; set; }
    public int Packets { get; set; }
    public long FirstTicks { get; set; }
    public long LastTicks { get; set; }

    public void Clear()
    {
        Array.Clear(_bits);
        Offset = Length = Packets = 0;
        FirstTicks = LastTicks = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddAddress(IpAddressKey address) => Set(Hash(address.High ^ AddressKind, address.Low));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddPort(int port) => Set(Hash(PortKind, (ulong)port));

    public bool MayHoldAddress(IpAddressKey address) =>
        Test(Hash(address.High ^ AddressKind, address.Low)) || Test(Hash(AnyAddress.High ^ AddressKind, AnyAddress.Low));

    public bool MayHoldPort(int port) => Test(Hash(PortKind, (ulong)port)) || Test(Hash(PortKind, AnyPort));

    /// <summary>Indexes one packet record: its link layer, IPv4/IPv6/ARP addresses and TCP/UDP/SCTP ports.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AddPacket(int linkType, ReadOnlySpan<byte> frame, long ticks)
    {
        FirstTicks = Packets == 0 ? ticks : Math.Min(FirstTicks, ticks);
        LastTicks = Packets == 0 ? ticks : Math.Max(LastTicks, ticks);
        Packets++;
        if (!TryAddKeys(linkType, frame))
        {
            AddAddress(AnyAddress);
            AddPort(AnyPort);
        }
    }

    /// <summary>False when the packet is of a kind the index cannot read (a BPF might still match it).</summary>
    private bool TryAddKeys(int linkType, ReadOnlySpan<byte> frame)
    {
        int offset;
        int etherType;
        switch (linkType)
        {
            case LinkTypes.Ethernet:
                if (frame.Length < 14) return true;
                etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
                offset = 14;
                // 802.1Q / 802.1ad tags: `vlan and host A` matches the inner addresses.
                for (var tags = 0; tags < 2 && etherType is 0x8100 or 0x88A8 or 0x9100; tags++)
                {
                    if (frame.Length < offset + 4) return true;
                    etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[(offset + 2)..]);
                    offset += 4;
                }
                break;
            case LinkTypes.LinuxSll:
                if (frame.Length < 16) return true;
                etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[14..]);
                offset = 16;
                break;
            case LinkTypes.LinuxSll2:
                if (frame.Length < 20) return true;
                etherType = BinaryPrimitives.ReadUInt16BigEndian(frame);
                offset = 20;
                break;
            case LinkTypes.Null or LinkTypes.Loop:
                offset = 4;
                etherType = VersionEtherType(frame, offset);
                break;
            case LinkTypes.Raw or LinkTypes.RawDlt or LinkTypes.RawOpenBsd or LinkTypes.Ipv4 or LinkTypes.Ipv6:
                offset = 0;
                etherType = VersionEtherType(frame, offset);
                break;
            default:
                return false;
        }
        var ip = frame[Math.Min(offset, frame.Length)..];
        switch (etherType)
        {
            case 0x0800:
                if (ip.Length < 20) return true;
                AddAddress(IpAddressKey.FromV4(ip[12..16]));
                AddAddress(IpAddressKey.FromV4(ip[16..20]));
                var headerLength = (ip[0] & 0x0F) * 4;
                // As BPF's `port`: only the first fragment carries the ports.
                if ((BinaryPrimitives.ReadUInt16BigEndian(ip[6..]) & 0x1FFF) == 0) AddPorts(ip[9], ip, headerLength);
                return true;
            case 0x86DD:
                if (ip.Length < 40) return true;
                AddAddress(IpAddressKey.FromV6(ip[8..24]));
                AddAddress(IpAddressKey.FromV6(ip[24..40]));
                var next = ip[6];
                if (next is 6 or 17 or 132) AddPorts(next, ip, 40);
                else if (next is 0 or 43 or 44 or 60 or 51 or 135 or 139 or 140) AddPort(AnyPort);
                return true;
            case 0x0806 or 0x8035:
                // ARP/RARP for IPv4: `host A` matches sender and target protocol addresses.
                if (ip.Length < 28) return true;
                AddAddress(IpAddressKey.FromV4(ip[14..18]));
                AddAddress(IpAddressKey.FromV4(ip[24..28]));
                return true;
            case 0x8847 or 0x8848 or 0x8863 or 0x8864:
                // MPLS and PPPoE: `mpls and host A` reaches inside; the index does not.
                return false;
            default:
                // No host or port primitive matches other EtherTypes.
                return true;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AddPorts(int protocol, ReadOnlySpan<byte> ip, int headerLength)
    {
        if (protocol is not (6 or 17 or 132) || ip.Length < headerLength + 4) return;
        AddPort(BinaryPrimitives.ReadUInt16BigEndian(ip[headerLength..]));
        AddPort(BinaryPrimitives.ReadUInt16BigEndian(ip[(headerLength + 2)..]));
    }

    private static int VersionEtherType(ReadOnlySpan<byte> frame, int offset) =>
        frame.Length <= offset ? 0 : (frame[offset] >> 4) switch { 4 => 0x0800, 6 => 0x86DD, _ => 0 };

    public void WriteTo(Span<byte> entry)
    {
        BinaryPrimitives.WriteInt64LittleEndian(entry, Offset);
        BinaryPrimitives.WriteInt32LittleEndian(entry[8..], Length);
        BinaryPrimitives.WriteInt32LittleEndian(entry[12..], Packets);
        BinaryPrimitives.WriteInt64LittleEndian(entry[16..], FirstTicks);
        BinaryPrimitives.WriteInt64LittleEndian(entry[24..], LastTicks);
        for (var i = 0; i < FilterWords; i++) BinaryPrimitives.WriteUInt64LittleEndian(entry[(32 + i * 8)..], _bits[i]);
    }

    public void ReadFrom(ReadOnlySpan<byte> entry)
    {
        Offset = BinaryPrimitives.ReadInt64LittleEndian(entry);
        Length = BinaryPrimitives.ReadInt32LittleEndian(entry[8..]);
        Packets = BinaryPrimitives.ReadInt32LittleEndian(entry[12..]);
        FirstTicks = BinaryPrimitives.ReadInt64LittleEndian(entry[16..]);
        LastTicks = BinaryPrimitives.ReadInt64LittleEndian(entry[24..]);
        for (var i = 0; i < FilterWords; i++) _bits[i] = BinaryPrimitives.ReadUInt64LittleEndian(entry[(32 + i * 8)..]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Hash(ulong a, ulong b)
    {
        var h = (a * 0xFF51_AFD7_ED55_8CCDUL) ^ BitOperations.RotateLeft(b * 0xC4CE_B9FE_1A85_EC53UL, 31);
        h ^= h >> 33;
        h *= 0xFF51_AFD7_ED55_8CCDUL;
        return h ^ (h >> 29);
    }

    /// <summary>Sets the key's three bits (double hashing: h1 + i·h2). The recorder sets four keys per packet.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Set(ulong hash)
    {
        const uint bitMask = FilterWords * 64 - 1;
        var h1 = (uint)hash;
        var h2 = (uint)(hash >> 32) | 1;
        // Masked to the filter's size, every word index is in range: no bounds checks on the recorder's hottest line.
        ref var words = ref MemoryMarshal.GetArrayDataReference(_bits);
        var b0 = h1 & bitMask;
        var b1 = (h1 + h2) & bitMask;
        var b2 = (h1 + 2 * h2) & bitMask;
        Unsafe.Add(ref words, (int)(b0 >> 6)) |= 1UL << (int)b0;
        Unsafe.Add(ref words, (int)(b1 >> 6)) |= 1UL << (int)b1;
        Unsafe.Add(ref words, (int)(b2 >> 6)) |= 1UL << (int)b2;
    }

    private bool Test(ulong hash)
    {
        var h1 = (uint)hash;
        var h2 = (uint)(hash >> 32) | 1;
        for (uint i = 0; i < 3; i++)
        {
            var bit = (h1 + i * h2) % (FilterWords * 64);
            if ((_bits[bit >> 6] & (1UL << (int)(bit & 63))) == 0) return false;
        }
        return true;
    }
}
