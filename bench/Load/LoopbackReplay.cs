using System.Buffers.Binary;
using System.Diagnostics;
using SharpPcap;
using SharpPcap.LibPcap;

namespace Monitor.Bench.Load;

/// <summary>
/// Replays a capture's IPv4 frames onto the loopback interface, paced and looped, for the probe that
/// captures on lo. Every address is mapped into 127.128.0.0–127.255.255.255 (loopback only, never
/// 127.0.0.x where the site listens) and every TTL is set to <see cref="MarkTtl"/>, so the probe's
/// filter "ip[8] = 123" counts exactly these frames and nothing else that crosses lo. Transport
/// checksums are left as they were, so the local stack discards nearly all of them after capture; what
/// it does answer (UDP sent without a checksum) stays on lo with its own TTL, outside the filter.
/// </summary>
internal sealed class LoopbackReplay
{
    public const byte MarkTtl = 123;
    public const string ProbeFilter = "ip[8] = 123";

    private readonly List<byte[]> _frames = [];

    public LoopbackReplay(string capture, int maxFrames)
    {
        using var reader = new CaptureFileReaderDevice(capture);
        reader.Open();
        if (reader.LinkType != PacketDotNet.LinkLayers.Ethernet)
            throw new ArgumentException($"{capture}: only Ethernet captures can be replayed onto lo (link type {reader.LinkType})");
        while (_frames.Count < maxFrames && reader.GetNextPacket(out var packet) == GetPacketStatus.PacketRead)
        {
            var data = packet.Data;
            if (data.Length < 34 || BinaryPrimitives.ReadUInt16BigEndian(data[12..]) != 0x0800 || (data[14] >> 4) != 4) continue;
            var frame = data.ToArray();
            var ip = frame.AsSpan(14);
            var headerLength = (ip[0] & 0x0F) * 4;
            if (headerLength < 20 || headerLength > ip.Length) continue;
            Array.Clear(frame, 0, 12);
            ip[8] = MarkTtl;
            MapToLoopback(ip[12..16]);
            MapToLoopback(ip[16..20]);
            ip[10] = ip[11] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum(ip[..headerLength]));
            _frames.Add(frame);
        }
        if (_frames.Count == 0) throw new ArgumentException($"{capture} has no IPv4 frames to replay");
    }

    public int Frames => _frames.Count;

    public long Sent { get; private set; }
    public long SendErrors { get; private set; }

    /// <summary>Sends at <paramref name="rate"/> frames/s for <paramref name="duration"/>, looping the capture.</summary>
    public void Run(double rate, TimeSpan duration, CancellationToken stop)
    {
        var device = LibPcapLiveDeviceList.New().FirstOrDefault(d => d.Name == "lo")
            ?? throw new InvalidOperationException("no loopback interface 'lo' to replay onto");
        device.Open(DeviceModes.None, 100);
        try
        {
            var clock = Stopwatch.StartNew();
            var next = 0;
            while (clock.Elapsed < duration && !stop.IsCancellationRequested)
            {
                var due = (long)(clock.Elapsed.TotalSeconds * rate);
                while (Sent < due)
                {
                    try
                    {
                        device.SendPacket(_frames[next]);
                    }
                    catch (PcapException)
                    {
                        SendErrors++;
                    }
                    Sent++;
                    next = (next + 1) % _frames.Count;
                }
                Thread.Sleep(5);
            }
        }
        finally
        {
            device.Close();
        }
    }

    private static void MapToLoopback(Span<byte> address)
    {
        var mixed = (byte)(0x80 | ((address[0] ^ address[1]) & 0x7F));
        address[0] = 127;
        address[1] = mixed;
    }

    private static ushort Checksum(ReadOnlySpan<byte> header)
    {
        uint sum = 0;
        for (var i = 0; i + 1 < header.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(header[i..]);
        while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }
}
