using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

// Sends UDP datagrams to 127.0.0.1:PORT at a fixed rate for a bounded time and count, for the live
// capture benchmark. A socket bound to the port takes them in and never reads, so the kernel drops
// them at its full receive buffer instead of answering with ICMP port-unreachables. Datagrams leave
// in sendmmsg batches so one core can reach loopback's rate; pacing is by the monotonic clock.
const string usage = "usage: monitor-bench-sender --port P --rate PACKETS_PER_SECOND [--seconds S (default 2)] [--size PAYLOAD_BYTES (default 64)]";
int port = 0, size = 64;
double rate = 0, seconds = 2;
try
{
    for (var i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
        switch (args[i])
        {
            case "--port": port = int.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "--rate": rate = double.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "--seconds": seconds = double.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "--size": size = int.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "-h" or "--help": Console.WriteLine(usage); return 0;
            default: throw new ArgumentException($"unknown argument {args[i]}");
        }
    }
    if (port is < 1 or > 65535) throw new ArgumentException("--port must be 1..65535");
    if (rate is <= 0 or > 10_000_000) throw new ArgumentException("--rate must be 1..10000000");
    if (seconds is <= 0 or > 60) throw new ArgumentException("--seconds must be in (0, 60]");
    if (size is < 0 or > 1400) throw new ArgumentException("--size must be 0..1400");
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine($"monitor-bench-sender: {e.Message}");
    Console.Error.WriteLine(usage);
    return 2;
}

using var sink = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
sink.ReceiveBufferSize = 1 << 16;
sink.Bind(new IPEndPoint(IPAddress.Loopback, port));
using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
sender.Connect(new IPEndPoint(IPAddress.Loopback, port));

var result = UdpBurst.Send(sender, rate, seconds, size);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"sent {result.Sent} packets in {result.Elapsed.TotalSeconds:F3} s ({result.Sent / result.Elapsed.TotalSeconds:F0} packets/s, asked {rate:F0}); send errors {result.Errors}"));
return 0;

internal static unsafe class UdpBurst
{
    private const int Batch = 64;

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MMsgHdr
    {
        public MsgHdr Header;
        public uint Length;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int sendmmsg(int fd, MMsgHdr* messages, uint count, int flags);

    public readonly record struct Outcome(long Sent, long Errors, TimeSpan Elapsed);

    /// <summary>Sends rate × seconds datagrams, never faster than the rate, and stops at seconds + 1 whatever happened.</summary>
    public static Outcome Send(Socket socket, double rate, double seconds, int size)
    {
        var fd = (int)socket.SafeHandle.DangerousGetHandle();
        var payload = (byte*)NativeMemory.AllocZeroed((nuint)Math.Max(size, 1));
        var vectors = stackalloc IoVec[Batch];
        var messages = stackalloc MMsgHdr[Batch];
        for (var i = 0; i < Batch; i++)
        {
            vectors[i] = new IoVec { Base = payload, Length = (nuint)size };
            messages[i] = new MMsgHdr { Header = new MsgHdr { Iov = &vectors[i], IovLength = 1 } };
        }
        try
        {
            var total = (long)(rate * seconds);
            long sent = 0, errors = 0;
            var clock = Stopwatch.StartNew();
            var limit = TimeSpan.FromSeconds(seconds + 1);
            while (sent < total && clock.Elapsed < limit)
            {
                var due = Math.Min(total, (long)(rate * clock.Elapsed.TotalSeconds));
                var ahead = due - sent;
                if (ahead <= 0)
                {
                    // Ahead of schedule: yield the core to the captures instead of spinning.
                    Thread.Sleep(1);
                    continue;
                }
                var n = sendmmsg(fd, messages, (uint)Math.Min(ahead, Batch), 0);
                if (n < 0)
                {
                    errors++;
                    Thread.Yield();
                    continue;
                }
                sent += n;
            }
            return new Outcome(sent, errors, clock.Elapsed);
        }
        finally
        {
            NativeMemory.Free(payload);
        }
    }
}
