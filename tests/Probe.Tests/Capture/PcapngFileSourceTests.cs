using System.Buffers.Binary;
using Monitor.Probe.Capture;
using Monitor.TestKit.Packets;

namespace Monitor.Probe.Tests.Capture;

public sealed class PcapngFileSourceTests : IDisposable
{
    private static readonly long Epoch = DateTime.UnixEpoch.Ticks;
    private readonly string _dir = Directory.CreateTempSubdirectory("monitor-pcapng-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly byte[] Frame = PacketBuilder.Tcp("192.0.2.1", "192.0.2.2", 1234, 80, 0x02, payload: 3);

    private (CollectingReceiver Receiver, PcapFileSource Source, string Path) Read(PcapngBuilder builder, bool expectDamage = false)
    {
        var path = Path.Combine(_dir, $"{Guid.NewGuid():N}.pcapng");
        File.WriteAllBytes(path, builder.ToArray());
        var receiver = new CollectingReceiver();
        var source = new PcapFileSource([path]);
        if (!expectDamage) source.Run(receiver, CancellationToken.None);
        return (receiver, source, path);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reads_enhanced_packets_in_either_byte_order(bool bigEndian)
    {
        var builder = new PcapngBuilder(bigEndian).SectionHeader().Interface(1)
            .Enhanced(0, 1_204_947_000_123_456UL, Frame, wireLength: 1500);

        var packet = Assert.Single(Read(builder).Receiver.Packets);

        Assert.Equal(Epoch + 1_204_947_000_123_456L * 10, packet.Ticks);
        Assert.Equal(Frame, packet.Data);
        Assert.Equal(1500, packet.WireLength);
    }

    [Theory]
    [InlineData((byte)9, 1_204_947_000_123_456_789UL, 1_204_947_000_123_456_7L)]
    [InlineData((byte)3, 1_204_947_000_123UL, 1_204_947_000_123_000_0L)]
    [InlineData((byte)0x80 | 20, (1_204_947_000UL << 20) | (1UL << 19), 1_204_947_000_500_000_0L)]
    public void Honours_the_interface_timestamp_resolution(byte tsresol, ulong timestamp, long expectedTicksSinceEpoch)
    {
        var builder = new PcapngBuilder().SectionHeader().Interface(1, tsresol: tsresol).Enhanced(0, timestamp, Frame);

        var packet = Assert.Single(Read(builder).Receiver.Packets);

        Assert.Equal(Epoch + expectedTicksSinceEpoch, packet.Ticks);
    }

    [Fact]
    public void Adds_the_interface_timestamp_offset()
    {
        var builder = new PcapngBuilder().SectionHeader().Interface(1, tsoffsetSeconds: 3600).Enhanced(0, 10_000_000UL, Frame);

        var packet = Assert.Single(Read(builder).Receiver.Packets);

        Assert.Equal(Epoch + TimeSpan.TicksPerHour + 10 * TimeSpan.TicksPerSecond, packet.Ticks);
    }

    [Fact]
    public void Each_interface_keeps_its_own_link_type()
    {
        var raw = PacketBuilder.IpPart(Frame);
        var builder = new PcapngBuilder().SectionHeader().Interface(LinkTypes.Ethernet).Interface(LinkTypes.Raw)
            .Enhanced(0, 1, Frame).Enhanced(1, 2, raw).Enhanced(0, 3, Frame);

        var (receiver, source, _) = Read(builder);

        Assert.Equal([LinkTypes.Ethernet, LinkTypes.Raw, LinkTypes.Ethernet], receiver.Packets.Select(p => p.LinkType));
        Assert.Equal(raw, receiver.Packets[1].Data);
        Assert.Equal(new HashSet<int> { LinkTypes.Ethernet, LinkTypes.Raw }, source.LinkTypesSeen);
    }

    [Fact]
    public void Reads_simple_and_obsolete_packet_blocks_and_skips_unknown_blocks()
    {
        var builder = new PcapngBuilder().SectionHeader().Interface(1, snapLength: 40)
            .Block(0x00000BAD, new byte[20])
            .Obsolete(0, 77, Frame)
            .Block(5, new byte[8]) // interface statistics: not needed
            .Simple(Frame);

        var packets = Read(builder).Receiver.Packets;

        Assert.Equal(2, packets.Count);
        Assert.Equal(Frame, packets[0].Data);
        Assert.Equal(Epoch + 770, packets[0].Ticks);
        Assert.Equal(Frame[..40], packets[1].Data);
        Assert.Equal(Frame.Length, packets[1].WireLength);
        Assert.Equal(packets[0].Ticks, packets[1].Ticks);
    }

    [Fact]
    public void A_second_section_may_switch_byte_order_and_starts_its_own_interfaces()
    {
        var first = new PcapngBuilder().SectionHeader().Interface(LinkTypes.Ethernet).Enhanced(0, 1, Frame);
        var second = new PcapngBuilder(bigEndian: true).SectionHeader().Interface(LinkTypes.Raw).Enhanced(0, 2, PacketBuilder.IpPart(Frame));
        var builder = new PcapngBuilder().Raw(first.ToArray()).Raw(second.ToArray());

        var packets = Read(builder).Receiver.Packets;

        Assert.Equal([LinkTypes.Ethernet, LinkTypes.Raw], packets.Select(p => p.LinkType));
        Assert.Equal(Epoch + 20, packets[1].Ticks);
    }

    [Fact]
    public void A_section_with_interfaces_and_no_packets_is_not_an_error()
    {
        Assert.Empty(Read(new PcapngBuilder().SectionHeader().Interface(1)).Receiver.Packets);
    }

    [Theory]
    [InlineData(0u, "bad length")]
    [InlineData(13u, "bad length")]
    [InlineData(0x7FFF_FFF0u, "more than the maximum")]
    [InlineData(1000u, "cut short")]
    public void A_block_with_a_bad_length_is_damage_at_its_offset_after_the_packets_before_it(uint badLength, string problem)
    {
        var builder = new PcapngBuilder().SectionHeader().Interface(1).Enhanced(0, 1, Frame);
        var damageAt = builder.Length;
        builder.Enhanced(0, 2, Frame);
        var bytes = builder.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)damageAt + 4), badLength);
        var path = Path.Combine(_dir, "bad.pcapng");
        File.WriteAllBytes(path, bytes);
        var receiver = new CollectingReceiver();
        using var source = new PcapFileSource([path]);

        var error = Assert.Throws<CaptureFileException>(() => source.Run(receiver, CancellationToken.None));

        Assert.Single(receiver.Packets);
        Assert.Equal(damageAt, error.Offset);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void A_packet_block_claiming_more_bytes_than_it_holds_is_damage()
    {
        var builder = new PcapngBuilder().SectionHeader().Interface(1);
        var damageAt = builder.Length;
        builder.Enhanced(0, 1, Frame);
        var bytes = builder.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)damageAt + 20), (uint)Frame.Length + 100);
        var (_, source, path) = Read(new PcapngBuilder().Raw(bytes), expectDamage: true);

        var error = Assert.Throws<CaptureFileException>(() => source.Run(new CollectingReceiver(), CancellationToken.None));

        Assert.Equal(damageAt, error.Offset);
        Assert.Equal(path, error.File);
    }

    [Fact]
    public void A_packet_for_an_interface_never_described_is_damage()
    {
        var builder = new PcapngBuilder().SectionHeader().Interface(1);
        var damageAt = builder.Length;
        builder.Enhanced(3, 1, Frame);
        var (_, source, _) = Read(builder, expectDamage: true);

        var error = Assert.Throws<CaptureFileException>(() => source.Run(new CollectingReceiver(), CancellationToken.None));

        Assert.Equal(damageAt, error.Offset);
        Assert.Contains("interface 3", error.Message);
    }
}
