namespace Monitor.TestKit.Synthetic;

/// <summary>
/// xoshiro256** seeded through SplitMix64: the same seed gives the same capture on every .NET version
/// (System.Random's seeded algorithm is not promised to stay), and it costs a few nanoseconds a draw.
/// </summary>
public sealed class SyntheticRandom
{
    private ulong _s0, _s1, _s2, _s3;

    public SyntheticRandom(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, bound) for bound &gt; 0 (Lemire's multiply-shift, bias below 2^-32).</summary>
    public int Next(int bound) => (int)(((NextUInt64() >> 32) * (ulong)bound) >> 32);

    /// <summary>Uniform in [low, high).</summary>
    public int Next(int low, int high) => low + Next(high - low);

    public bool Chance(double probability) => NextDouble() < probability;

    /// <summary>Pareto (heavy-tailed) value at least <paramref name="minimum"/>, capped.</summary>
    public int Pareto(double minimum, double alpha, int cap)
    {
        var u = 1.0 - NextDouble();
        var value = minimum / Math.Pow(u, 1.0 / alpha);
        return value >= cap ? cap : (int)value;
    }

    private static ulong SplitMix(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15;
        var z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}

/// <summary>Draws ranks 0..n-1 with probability proportional to 1/(rank+1)^exponent (Zipf).</summary>
public sealed class ZipfSampler
{
    private readonly double[] _cumulative;

    public ZipfSampler(int count, double exponent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _cumulative = new double[count];
        var sum = 0.0;
        for (var i = 0; i < count; i++)
        {
            sum += 1.0 / Math.Pow(i + 1, exponent);
            _cumulative[i] = sum;
        }
        for (var i = 0; i < count; i++) _cumulative[i] /= sum;
    }

    public int Count => _cumulative.Length;

    public int Next(SyntheticRandom random)
    {
        var u = random.NextDouble();
        var at = Array.BinarySearch(_cumulative, u);
        if (at < 0) at = ~at;
        return Math.Min(at, _cumulative.Length - 1);
    }
}
