using System.Net.Sockets;
using SharpPcap;
using SharpPcap.LibPcap;

namespace Monitor.Probe.Capture;

/// <summary>How to open a live interface; bound from the probe's options.</summary>
public sealed record LiveCaptureOptions
{
    /// <summary>Interface name as libpcap knows it (see --list-interfaces).</summary>
    public required string Interface { get; init; }
    public bool Promiscuous { get; init; } = true;
    /// <summary>Bytes kept of each packet; the default keeps whole jumbo frames.</summary>
    public int SnapLength { get; init; } = 262144;
    /// <summary>Kernel ring buffer in bytes: what absorbs bursts while the capture thread is busy.</summary>
    public int BufferSize { get; init; } = 64 << 20;
    /// <summary>Capture filter (libpcap syntax), run in the kernel; null or empty for everything.</summary>
    public string? Filter { get; init; }
}

/// <summary>An interface libpcap can capture on.</summary>
public sealed record CaptureInterface(string Name, string? Description, IReadOnlyList<string> Addresses, bool Loopback);

/// <summary>
/// Captures from a live interface through SharpPcap's libpcap device. Run reads with pcap_next_ex
/// through SharpPcap's pointer API: one native call and no allocation per packet, no callback into
/// managed code. When no packet is ready it polls the handle's descriptor for at most the time left
/// to the next Idle tick, so Idle comes at least every 100 ms and cancellation is noticed.
/// libpcap's counters are sampled on the capture thread at each Idle tick.
/// </summary>
public sealed class LiveCaptureSource : IPacketSource
{
    private const int ReadTimeoutMilliseconds = 100;
    private const int IdleEveryMilliseconds = 100;
    private const long UnixEpochTicks = 621_355_968_000_000_000L;

    private static readonly bool WindowsTimeval = OperatingSystem.IsWindows();
    private static readonly int MicrosOffset = WindowsTimeval ? 4 : IntPtr.Size;
    private static readonly int CapturedLengthOffset = WindowsTimeval ? 8 : 2 * IntPtr.Size;

    private readonly LibPcapLiveDevice _device;
    private readonly int _linkType;
    /// <summary>The pcap handle's descriptor, polled while no packet is ready; -1 = rely on libpcap's read timeout.</summary>
    private readonly int _descriptor;
    private readonly Lock _statisticsLock = new();
    private CaptureStatistics? _statistics;
    private uint _lastReceived, _lastDropped, _lastInterfaceDropped;
    private long _received, _dropped, _interfaceDropped;

    /// <exception cref="CapturePermissionException">The process may not capture (not root, no cap_net_raw).</exception>
    /// <exception cref="CaptureFilterException">libpcap does not accept the filter.</exception>
    /// <exception cref="CaptureDeviceException">No such interface, or it cannot be opened.</exception>
    public LiveCaptureSource(LiveCaptureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _device = FindDevice(options.Interface);
        var configuration = new DeviceConfiguration
        {
            Mode = options.Promiscuous ? DeviceModes.Promiscuous : DeviceModes.None,
            Snaplen = options.SnapLength,
            BufferSize = options.BufferSize,
            ReadTimeout = ReadTimeoutMilliseconds,
        };
        string? configurationProblem = null;
        configuration.ConfigurationFailed += (_, e) => configurationProblem ??= $"{e.Property}: {e.Error}";
        try
        {
            _device.Open(configuration);
        }
        catch (PcapException e)
        {
            throw OpenFailure(options.Interface, e.Error, e.Message);
        }
        catch (DllNotFoundException e)
        {
            throw new CaptureDeviceException(options.Interface, $"libpcap is not installed ({e.Message})");
        }
        if (!_device.Opened)
        {
            throw OpenFailure(options.Interface, PcapError.Generic, configurationProblem ?? _device.LastError ?? "open failed");
        }
        if (!string.IsNullOrWhiteSpace(options.Filter))
        {
            try
            {
                _device.Filter = options.Filter;
            }
            catch (PcapException e)
            {
                _device.Dispose();
                throw new CaptureFilterException(options.Filter, e.Message);
            }
        }
        _linkType = (int)_device.LinkType;
        ConfigurationProblem = configurationProblem;
        _descriptor = LibPcapWait.SelectableDescriptor(_device.Handle.DangerousGetHandle());
        if (_descriptor >= 0) _device.NonBlockingMode = true;
    }

    public LiveCaptureOptions Options { get; }

    public string Description => $"interface {Options.Interface}";

    /// <summary>libpcap link type (DLT) of the interface.</summary>
    public int LinkType => _linkType;

    /// <summary>A setting libpcap could not apply (for example the buffer size), when the device still opened.</summary>
    public string? ConfigurationProblem { get; }

    /// <summary>libpcap's received / dropped / interface-dropped counters, as of the last Idle tick.</summary>
    public CaptureStatistics? Statistics
    {
        get
        {
            lock (_statisticsLock) return _statistics;
        }
    }

    public static IReadOnlyList<CaptureInterface> ListInterfaces()
    {
        try
        {
            return LibPcapLiveDeviceList.New()
                .Select(d => new CaptureInterface(
                    d.Name,
                    string.IsNullOrWhiteSpace(d.Description) ? null : d.Description,
                    d.Addresses.Select(a => a.Addr?.ipAddress)
                        .Where(ip => ip is { AddressFamily: AddressFamily.InterNetwork or AddressFamily.InterNetworkV6 })
                        .Select(ip => ip!.ToString())
                        .ToList(),
                    d.Loopback))
                .ToList();
        }
        catch (DllNotFoundException e)
        {
            throw new CaptureDeviceException("(any)", $"libpcap is not installed ({e.Message})");
        }
    }

    public unsafe void Run(IPacketReceiver receiver, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        var nextIdle = Environment.TickCount64 + IdleEveryMilliseconds;
        SampleStatistics();
        while (!cancellationToken.IsCancellationRequested)
        {
            IntPtr header = 0, data = 0;
            var result = _device.GetNextPacketPointers(ref header, ref data);
            if (result == 1)
            {
                var h = (byte*)header;
                var seconds = WindowsTimeval ? *(int*)h : *(long*)h;
                var micros = *(int*)(h + MicrosOffset);
                var captured = *(uint*)(h + CapturedLengthOffset);
                var wire = *(uint*)(h + CapturedLengthOffset + 4);
                var ticks = UnixEpochTicks + seconds * TimeSpan.TicksPerSecond + micros * 10L;
                receiver.Receive(new RawPacket(ticks, (int)wire, _linkType, new ReadOnlySpan<byte>((void*)data, (int)captured)));
            }
            else if (result < 0)
            {
                if (result == -2) return; // pcap_breakloop
                throw new CaptureDeviceException(Options.Interface, _device.LastError ?? "read failed");
            }
            else if (_descriptor >= 0)
            {
                LibPcapWait.WaitReadable(_descriptor, (int)Math.Clamp(nextIdle - Environment.TickCount64, 1, IdleEveryMilliseconds));
            }
            var now = Environment.TickCount64;
            if (now >= nextIdle)
            {
                nextIdle = now + IdleEveryMilliseconds;
                SampleStatistics();
                receiver.Idle(DateTimeOffset.UtcNow);
            }
        }
    }

    /// <summary>Widens libpcap's 32-bit counters (which wrap) into running 64-bit totals.</summary>
    private void SampleStatistics()
    {
        ICaptureStatistics sample;
        try
        {
            sample = _device.Statistics;
        }
        catch (PcapException)
        {
            return;
        }
        _received += unchecked(sample.ReceivedPackets - _lastReceived);
        _dropped += unchecked(sample.DroppedPackets - _lastDropped);
        _interfaceDropped += unchecked(sample.InterfaceDroppedPackets - _lastInterfaceDropped);
        _lastReceived = sample.ReceivedPackets;
        _lastDropped = sample.DroppedPackets;
        _lastInterfaceDropped = sample.InterfaceDroppedPackets;
        lock (_statisticsLock) _statistics = new CaptureStatistics(_received, _dropped, _interfaceDropped);
    }

    private static LibPcapLiveDevice FindDevice(string name)
    {
        LibPcapLiveDeviceList devices;
        try
        {
            devices = LibPcapLiveDeviceList.New();
        }
        catch (DllNotFoundException e)
        {
            throw new CaptureDeviceException(name, $"libpcap is not installed ({e.Message})");
        }
        return devices.FirstOrDefault(d => d.Name == name)
               ?? throw new CaptureDeviceException(name,
                   $"no such interface (available: {string.Join(", ", devices.Select(d => d.Name))})");
    }

    private static Exception OpenFailure(string name, PcapError error, string message)
    {
        var denied = error is PcapError.PermissionDenied or PcapError.PromiscuousPermissionDenied
                     || message.Contains("permission", StringComparison.OrdinalIgnoreCase)
                     || message.Contains("not permitted", StringComparison.OrdinalIgnoreCase);
        var oneLine = message.ReplaceLineEndings(" ").Trim();
        return denied ? new CapturePermissionException(name, oneLine) : new CaptureDeviceException(name, oneLine);
    }

    public void Dispose() => _device.Dispose();
}
