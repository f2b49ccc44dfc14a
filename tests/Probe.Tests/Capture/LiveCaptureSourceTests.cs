using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Monitor.Probe.Capture;
using Monitor.Probe.Decode;

namespace Monitor.Probe.Tests.Capture;

/// <summary>A fact that needs permission to capture (root or cap_net_raw); tests send only to loopback.</summary>
public sealed class LiveCaptureFactAttribute : FactAttribute
{
    public LiveCaptureFactAttribute()
    {
        if (!Environment.IsPrivilegedProcess) Skip = "live capture on lo needs root";
    }
}

public sealed class LiveCaptureSourceTests
{
    /// <summary>Counts packets and stops the run once it has seen what the test waits for.</summary>
    private sealed class StoppingReceiver(int stopAfter, CancellationTokenSource stop) : IPacketReceiver
    {
        public List<DecodedPacket> Packets { get; } = new();
        public List<DateTimeOffset> IdleTimes { get; } = new();

        public void Receive(in RawPacket packet)
        {
            var decoded = new DecodedPacket();
            PacketDecoder.Decode(packet, ref decoded);
            Packets.Add(decoded);
            if (Packets.Count >= stopAfter) stop.Cancel();
        }

        public void Idle(DateTimeOffset now) => IdleTimes.Add(now);
    }

    [LiveCaptureFact]
    public void Captures_every_udp_datagram_sent_to_loopback_with_libpcap_counters()
    {
        using var listener = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)listener.Client.LocalEndPoint!).Port;
        const int count = 300;
        using var source = new LiveCaptureSource(new LiveCaptureOptions { Interface = "lo", Filter = $"udp and dst port {port}" });
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var receiver = new StoppingReceiver(count, stop);
        var capture = Task.Factory.StartNew(() => source.Run(receiver, stop.Token), TaskCreationOptions.LongRunning);

        using var sender = new UdpClient();
        var payload = new byte[100];
        for (var i = 0; i < count; i++) sender.Send(payload, payload.Length, new IPEndPoint(IPAddress.Loopback, port));
        capture.Wait(TimeSpan.FromSeconds(20));

        Assert.True(capture.IsCompletedSuccessfully);
        Assert.Equal(count, receiver.Packets.Count);
        Assert.All(receiver.Packets, p =>
        {
            Assert.Equal(Transport.Udp, p.Transport);
            Assert.Equal(port, p.DestinationPort);
            Assert.Equal(IpAddressKey.Parse("127.0.0.1"), p.Destination);
            Assert.Equal(100, p.PayloadLength);
            Assert.True(Math.Abs(p.Ticks - DateTime.UtcNow.Ticks) < TimeSpan.TicksPerMinute);
        });
        Assert.Equal(LinkTypes.Ethernet, source.LinkType);
        var statistics = Assert.NotNull(source.Statistics);
        Assert.Equal(0, statistics.Dropped);
    }

    [LiveCaptureFact]
    public void An_idle_interface_still_gets_an_idle_tick_about_every_100_ms()
    {
        using var source = new LiveCaptureSource(new LiveCaptureOptions { Interface = "lo", Filter = "udp port 9 and udp port 7" });
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(1200));
        var receiver = new StoppingReceiver(int.MaxValue, stop);
        var clock = Stopwatch.StartNew();

        source.Run(receiver, stop.Token);

        Assert.InRange(clock.ElapsedMilliseconds, 1150, 3000);
        Assert.True(receiver.IdleTimes.Count >= 6, $"only {receiver.IdleTimes.Count} idle ticks in 1200 ms");
        // Ticks come about every 100 ms; a loaded machine delays one now and then (one of 320 ms was seen here), so the typical gap is
        // what is checked, and a read that blocked until a packet came would show as no ticks at all.
        var gaps = receiver.IdleTimes.Zip(receiver.IdleTimes.Skip(1), (a, b) => (b - a).TotalMilliseconds).Order().ToList();
        Assert.True(gaps[gaps.Count / 2] < 150, $"idle ticks {string.Join(", ", gaps)} ms apart");
        Assert.Empty(receiver.Packets);
        Assert.NotNull(source.Statistics);
    }

    [LiveCaptureFact]
    public void A_bad_capture_filter_is_a_capture_filter_error()
    {
        var error = Assert.Throws<CaptureFilterException>(() => new LiveCaptureSource(new LiveCaptureOptions { Interface = "lo", Filter = "udp port" }));

        Assert.Equal("udp port", error.Expression);
    }

    [Fact]
    public void An_unknown_interface_is_named_in_the_error_with_those_available()
    {
        var error = Assert.Throws<CaptureDeviceException>(() => new LiveCaptureSource(new LiveCaptureOptions { Interface = "no-such-nic0" }));

        Assert.Contains("no-such-nic0", error.Message);
        Assert.Contains("lo", error.Message);
    }

    [Fact]
    public void Lists_the_loopback_interface_with_its_address()
    {
        var interfaces = LiveCaptureSource.ListInterfaces();

        var lo = Assert.Single(interfaces, i => i.Name == "lo");
        Assert.True(lo.Loopback);
        Assert.Contains("127.0.0.1", lo.Addresses);
    }

    [Fact]
    public void Without_capture_permission_the_error_is_one_line_that_says_how_to_grant_it()
    {
        Exception? error = null;
        // Capabilities are per thread on Linux: this thread gives up cap_net_raw/cap_net_admin, then tries.
        var thread = new Thread(() =>
        {
            if (Environment.IsPrivilegedProcess) DropCaptureCapabilitiesOfThisThread();
            try
            {
                using var source = new LiveCaptureSource(new LiveCaptureOptions { Interface = "lo" });
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        thread.Start();
        thread.Join();

        var denied = Assert.IsType<CapturePermissionException>(error);
        Assert.DoesNotContain('\n', denied.Message);
        Assert.Contains("run as root", denied.Message);
        Assert.Contains("setcap cap_net_raw,cap_net_admin+eip ", denied.Message);
        Assert.Equal("lo", denied.Interface);
    }

    private const int CapNetAdmin = 12;
    private const int CapNetRaw = 13;

    [StructLayout(LayoutKind.Sequential)]
    private struct CapHeader
    {
        public uint Version;
        public int Pid;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CapData
    {
        public uint Effective;
        public uint Permitted;
        public uint Inheritable;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int capget(ref CapHeader header, [Out] CapData[] data);

    [DllImport("libc", SetLastError = true)]
    private static extern int capset(ref CapHeader header, CapData[] data);

    private static void DropCaptureCapabilitiesOfThisThread()
    {
        var header = new CapHeader { Version = 0x20080522, Pid = 0 };
        var data = new CapData[2];
        if (capget(ref header, data) != 0) throw new InvalidOperationException($"capget failed ({Marshal.GetLastPInvokeError()})");
        var mask = ~((1u << CapNetAdmin) | (1u << CapNetRaw));
        data[0].Effective &= mask;
        data[0].Permitted &= mask;
        if (capset(ref header, data) != 0) throw new InvalidOperationException($"capset failed ({Marshal.GetLastPInvokeError()})");
    }
}
