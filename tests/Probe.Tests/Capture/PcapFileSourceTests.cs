using System.Buffers.Binary;
using Monitor.Probe.Capture;
using Monitor.TestKit.Packets;

namespace Monitor.Probe.Tests.Capture;

public sealed class PcapFileSourceTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2008, 3, 8, 3, 30, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("monitor-capture-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static List<byte[]> SomeFrames(int count) =>
        Enumerable.Range(0, count)
            .Select(i => i % 2 == 0
                ? PacketBuilder.Tcp("192.0.2.1", "198.51.100.2", (ushort)(1000 + i), 80, 0x02, payload: i)
                : PacketBuilder.Udp("2001:db8::1", "2001:db8::2", 53, (ushort)(2000 + i), payload: 3 * i))
            .ToList();

    private string WriteCapture(string name, IReadOnlyList<byte[]> frames)
    {
        var path = PathOf(name);
        using var writer = new PcapFileWriter(path);
        for (var i = 0; i < frames.Count; i++) writer.Write(Start.AddMilliseconds(i * 1.5), frames[i]);
        return path;
    }

    private static CollectingReceiver ReadAll(params string[] files)
    {
        var receiver = new CollectingReceiver();
        using var source = new PcapFileSource(files);
        source.Run(receiver, CancellationToken.None);
        return receiver;
    }

    [Fact]
    public void Reads_back_every_packet_a_writer_wrote_with_time_length_and_bytes()
    {
        var frames = SomeFrames(1000);
        var path = WriteCapture("a.pcap", frames);

        var packets = ReadAll(path).Packets;

        Assert.Equal(frames.Count, packets.Count);
        for (var i = 0; i < frames.Count; i++)
        {
            Assert.Equal(frames[i], packets[i].Data);
            Assert.Equal(frames[i].Length, packets[i].WireLength);
            Assert.Equal(LinkTypes.Ethernet, packets[i].LinkType);
            Assert.Equal(Start.AddMilliseconds(i * 1.5).UtcTicks, packets[i].Ticks);
        }
    }

    [Fact]
    public void Reads_several_files_in_the_order_given_and_reports_bytes_read()
    {
        var first = WriteCapture("1.pcap", SomeFrames(3));
        var second = WriteCapture("2.pcap", SomeFrames(5).AsEnumerable().Reverse().ToList());
        var receiver = new CollectingReceiver();
        using var source = new PcapFileSource([first, second]);

        source.Run(receiver, CancellationToken.None);

        Assert.Equal(8, receiver.Packets.Count);
        Assert.Equal(SomeFrames(5)[4], receiver.Packets[3].Data);
        Assert.Equal(new FileInfo(first).Length + new FileInfo(second).Length, source.TotalBytes);
        Assert.Equal(source.TotalBytes, source.BytesRead);
        Assert.Equal([LinkTypes.Ethernet], source.LinkTypesSeen);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Reads_classic_pcap_in_either_byte_order_with_micro_or_nanosecond_times(bool bigEndian, bool nanoseconds)
    {
        var frame = PacketBuilder.Udp("192.0.2.7", "192.0.2.8", 1, 2, payload: 10);
        var path = PathOf("order.pcap");
        using (var file = File.Create(path))
        {
            file.Write(FileHeader(bigEndian, nanoseconds, LinkTypes.Ethernet));
            file.Write(RecordHeader(bigEndian, 1_204_947_000, nanoseconds ? 123_456_789u : 123_456u, frame.Length, frame.Length + 4));
            file.Write(frame);
        }

        var packet = Assert.Single(ReadAll(path).Packets);

        var expected = DateTime.UnixEpoch.AddSeconds(1_204_947_000).Ticks + (nanoseconds ? 1_234_567 : 1_234_560);
        Assert.Equal(expected, packet.Ticks);
        Assert.Equal(frame, packet.Data);
        Assert.Equal(frame.Length + 4, packet.WireLength);
    }

    [Fact]
    public void A_valid_header_without_packets_is_an_empty_capture_not_an_error()
    {
        var path = WriteCapture("empty.pcap", []);

        Assert.Empty(ReadAll(path).Packets);
    }

    [Fact]
    public void A_zero_length_file_is_an_error_naming_the_file_and_offset_zero()
    {
        var path = PathOf("zero.pcap");
        File.WriteAllBytes(path, []);

        var error = Assert.Throws<CaptureFileException>(() => ReadAll(path));

        Assert.Equal(path, error.File);
        Assert.Equal(0, error.Offset);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_capture_is_an_error_at_offset_zero()
    {
        var path = PathOf("garbage.pcap");
        File.WriteAllText(path, "this is a text file, not a capture");

        var error = Assert.Throws<CaptureFileException>(() => ReadAll(path));

        Assert.Equal(0, error.Offset);
        Assert.Contains("not a pcap or pcapng file", error.Message);
    }

    [Fact]
    public void A_record_cut_short_delivers_every_whole_packet_before_it_then_names_its_offset()
    {
        var frames = SomeFrames(10);
        var path = WriteCapture("cut.pcap", frames);
        var bytes = File.ReadAllBytes(path);
        var lastRecordOffset = bytes.Length - 16 - frames[^1].Length;
        File.WriteAllBytes(path, bytes[..(bytes.Length - 5)]);
        var receiver = new CollectingReceiver();
        using var source = new PcapFileSource([path]);

        var error = Assert.Throws<CaptureFileException>(() => source.Run(receiver, CancellationToken.None));

        Assert.Equal(9, receiver.Packets.Count);
        Assert.Equal(lastRecordOffset, error.Offset);
        Assert.Contains("cut short", error.Message);
    }

    [Fact]
    public void A_record_with_a_lying_length_is_damage_at_its_offset()
    {
        var frames = SomeFrames(4);
        var path = WriteCapture("lying.pcap", frames);
        var bytes = File.ReadAllBytes(path);
        var third = 24 + 16 + frames[0].Length + 16 + frames[1].Length;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(third + 8), 0x7FFF_FFF0);
        File.WriteAllBytes(path, bytes);
        var receiver = new CollectingReceiver();
        using var source = new PcapFileSource([path]);

        var error = Assert.Throws<CaptureFileException>(() => source.Run(receiver, CancellationToken.None));

        Assert.Equal(2, receiver.Packets.Count);
        Assert.Equal(third, error.Offset);
    }

    [Fact]
    public void A_missing_file_is_reported_by_name_after_the_files_before_it()
    {
        var first = WriteCapture("first.pcap", SomeFrames(2));
        var missing = PathOf("missing.pcap");
        var receiver = new CollectingReceiver();
        using var source = new PcapFileSource([first, missing]);

        var error = Assert.Throws<CaptureFileException>(() => source.Run(receiver, CancellationToken.None));

        Assert.Equal(2, receiver.Packets.Count);
        Assert.Equal(missing, error.File);
    }

    internal static byte[] FileHeader(bool bigEndian, bool nanoseconds, int linkType, int snapLength = 65535)
    {
        var header = new byte[24];
        var magic = nanoseconds ? 0xA1B23C4Du : 0xA1B2C3D4u;
        Write32(header, 0, magic, bigEndian);
        Write16(header, 4, 2, bigEndian);
        Write16(header, 6, 4, bigEndian);
        Write32(header, 16, (uint)snapLength, bigEndian);
        Write32(header, 20, (uint)linkType, bigEndian);
        return header;
    }

    internal static byte[] RecordHeader(bool bigEndian, uint seconds, uint fraction, int captured, int wire)
    {
        var header = new byte[16];
        Write32(header, 0, seconds, bigEndian);
        Write32(header, 4, fraction, bigEndian);
        Write32(header, 8, (uint)captured, bigEndian);
        Write32(header, 12, (uint)wire, bigEndian);
        return header;
    }

    private static void Write32(byte[] buffer, int at, uint value, bool bigEndian)
    {
        if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(at), value);
        else BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(at), value);
    }

    private static void Write16(byte[] buffer, int at, ushort value, bool bigEndian)
    {
        if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(at), value);
        else BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(at), value);
    }
}
