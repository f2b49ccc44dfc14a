using System.Buffers.Binary;
using System.Net;
using Monitor.Probe.Capture;

namespace Monitor.TestKit.Synthetic;

/// <summary>Shape of a spoofed SYN flood capture. Defaults: 10 million distinct sources within one 30-second interval.</summary>
public sealed record SynFloodOptions
{
    /// <summary>Spoofed sources, each sending exactly one SYN.</summary>
    public long DistinctSources { get; init; } = 10_000_000;
    /// <summary>Real attackers (203.0.113.1, .2, ...) mixed into the flood; the first sends the most.</summary>
    public int HeavyHitters { get; init; } = 20;
    /// <summary>SYNs of the busiest heavy hitter; each next one sends <see cref="HeavyHitterStep"/> fewer.</summary>
    public int HeavyHitterSyns { get; init; } = 20_000;
    public int HeavyHitterStep { get; init; } = 500;
    public ulong Seed { get; init; } = 1;
    public int SnapLength { get; init; } = 128;
    public DateTimeOffset Start { get; init; } = new(2026, 1, 15, 13, 0, 2, TimeSpan.Zero);
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(25);

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(DistinctSources, nameof(DistinctSources));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(DistinctSources, 2_000_000_000L, nameof(DistinctSources));
        ArgumentOutOfRangeException.ThrowIfNegative(HeavyHitters, nameof(HeavyHitters));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(HeavyHitters, 250, nameof(HeavyHitters));
        ArgumentOutOfRangeException.ThrowIfNegative(HeavyHitterStep, nameof(HeavyHitterStep));
        if (HeavyHitters > 0 && HeavyHitterSyns - (long)(HeavyHitters - 1) * HeavyHitterStep < 1)
            throw new ArgumentOutOfRangeException(nameof(HeavyHitterSyns), "every heavy hitter must send at least one SYN");
        ArgumentOutOfRangeException.ThrowIfLessThan(SnapLength, 64, nameof(SnapLength));
        if (Duration <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(Duration), "must be positive");
    }
}

public sealed record SynFloodTruth(long Packets, long Bytes, long DistinctSources, string Target, int TargetPort,
    IReadOnlyList<SynFloodHeavyHitter> HeavyHitters, DateTimeOffset First, DateTimeOffset Last);

public sealed record SynFloodHeavyHitter(string Address, long Syns);

/// <summary>
/// Writes a spoofed SYN flood against 192.0.2.10:80: every spoofed source is a distinct unicast IPv4
/// address (a bijection of a counter, skipping reserved, private and documentation space, so none
/// collides with the heavy hitters or the target) sending one SYN, interleaved uniformly with a few
/// heavy hitters from 203.0.113.0/24 whose SYN counts are known, so the top-N of a bounded table can be
/// checked. The file is data: nothing is sent.
/// </summary>
public sealed class SynFloodGenerator(SynFloodOptions options)
{
    private const int TargetPort = 80;
    private static readonly byte[] Target = [192, 0, 2, 10];

    public static SynFloodTruth Write(string path, SynFloodOptions options)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 20);
        return new SynFloodGenerator(options).WriteTo(stream);
    }

    public SynFloodTruth WriteTo(Stream stream)
    {
        options.Validate();
        var random = new SyntheticRandom(options.Seed);
        var heavy = new long[options.HeavyHitters];
        for (var i = 0; i < heavy.Length; i++) heavy[i] = options.HeavyHitterSyns - (long)i * options.HeavyHitterStep;
        var heavyLeft = heavy.Sum();
        var total = options.DistinctSources + heavyLeft;
        var left = heavy.ToArray();

        var writer = new PcapFileWriter(stream, LinkTypes.Ethernet, options.SnapLength);
        var frame = new byte[60];
        WriteTemplate(frame);
        var step = (double)options.Duration.Ticks / Math.Max(1, total);
        var startTicks = options.Start.UtcTicks;
        long first = 0, last = 0;
        uint counter = 0;
        ushort ipId = 0;
        for (long i = 0; i < total; i++)
        {
            var remaining = total - i;
            uint source;
            if ((long)(random.NextDouble() * remaining) < heavyLeft)
            {
                var pick = (long)(random.NextDouble() * heavyLeft);
                var h = 0;
                while (pick >= left[h]) pick -= left[h++];
                left[h]--;
                heavyLeft--;
                source = 0xCB007100u + (uint)(h + 1); // 203.0.113.(h+1)
            }
            else
            {
                do source = Scramble(counter++); while (!IsSpoofable(source));
            }
            var ticks = startTicks + (long)((i + 0.9 * random.NextDouble()) * step);
            if (i == 0) first = ticks;
            last = ticks;
            var r = random.NextUInt64();
            FillSyn(frame, source, (ushort)(1024 + (r % 64512)), (uint)(r >> 32), ipId++);
            writer.Write(new DateTimeOffset(ticks, TimeSpan.Zero), frame, 60);
        }
        writer.Flush();

        var hitters = heavy.Select((syns, i) => new SynFloodHeavyHitter($"203.0.113.{i + 1}", syns)).ToList();
        return new SynFloodTruth(total, total * 60, options.DistinctSources + heavy.Length,
            new IPAddress(Target).ToString(), TargetPort, hitters,
            new DateTimeOffset(first, TimeSpan.Zero), new DateTimeOffset(last, TimeSpan.Zero));
    }

    /// <summary>A bijection on 32-bit values, so consecutive counters give distinct, scattered addresses.</summary>
    private static uint Scramble(uint x)
    {
        x ^= x >> 16;
        x *= 0x7FEB352Du;
        x ^= x >> 15;
        x *= 0x846CA68Bu;
        x ^= x >> 16;
        return x;
    }

    /// <summary>Public unicast space only: no 0/8, 10/8, 127/8, 169.254/16, 172.16/12, 192.168/16, 192.0.2/24,
    /// 198.18/15, 198.51.100/24, 203.0.113/24, multicast or reserved.</summary>
    private static bool IsSpoofable(uint a)
    {
        var first = a >> 24;
        if (first is 0 or 10 or 127 or >= 224) return false;
        if ((a & 0xFFFF0000u) is 0xA9FE0000u or 0xC0A80000u) return false;
        if ((a & 0xFFF00000u) == 0xAC100000u) return false;
        if ((a & 0xFFFE0000u) == 0xC6120000u) return false;
        return (a & 0xFFFFFF00u) is not (0xC0000200u or 0xC6336400u or 0xCB007100u);
    }

    private static void WriteTemplate(Span<byte> f)
    {
        f.Clear();
        f[0] = 0x02; f[5] = 0x02;
        f[6] = 0x02; f[11] = 0x01;
        BinaryPrimitives.WriteUInt16BigEndian(f[12..], 0x0800);
        var ip = f[14..];
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], 40);
        ip[8] = 64;
        ip[9] = 6;
        Target.CopyTo(ip[16..]);
        var tcp = ip[20..];
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], TargetPort);
        tcp[12] = 5 << 4;
        tcp[13] = 0x02;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 64240);
    }

    private static void FillSyn(Span<byte> f, uint source, ushort sourcePort, uint sequence, ushort ipId)
    {
        var ip = f[14..];
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], ipId);
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], source);
        ip[10] = 0;
        ip[11] = 0;
        uint sum = 0;
        for (var i = 0; i < 20; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(ip[i..]);
        while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], (ushort)~sum);
        var tcp = ip[20..];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, sourcePort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], sequence);
    }
}
