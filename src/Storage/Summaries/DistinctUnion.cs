using System.Buffers.Binary;
using System.Numerics;

namespace Monitor.Storage.Summaries;

/// <summary>
/// The set behind one distinct count of a report row (a scanner's destinations or ports), stored with the row so
/// that a range's count is the union of its intervals' sets rather than the busiest interval's count. A set of up
/// to <see cref="ExactLimit"/> items is kept as its 64-bit item hashes (exact; two items collide with odds of
/// about 2^-61); a larger one as a HyperLogLog of 1024 four-bit registers (512 bytes, about 3.3 % error, marked
/// estimated) indexed by the hash's top bits as the probe's 4096-register <c>DistinctSketch</c> is, so that the
/// probe's own sketches fold into it.
/// Text form: "x" + base64 of the sorted hashes, or "h" + base64 of the packed registers.
/// </summary>
public sealed class DistinctUnion
{
    public const int ExactLimit = 64;
    public const int Bits = 10;
    private const int ProbeBits = 12;
    public const int Registers = 1 << Bits;
    private const byte MaxRank = 15;

    private HashSet<ulong>? _items = [];
    private byte[]? _registers;

    /// <summary>True once the set outgrew exact hashes (or took in a sketch): <see cref="Count"/> is an estimate.</summary>
    public bool IsEstimated => _registers is not null;

    public long Count => _registers is null ? _items!.Count : Estimate(_registers);

    public void Add(ulong hash)
    {
        if (_registers is not null)
        {
            AddToRegisters(_registers, hash);
            return;
        }
        _items!.Add(hash);
        if (_items.Count > ExactLimit) ToRegisters();
    }

    /// <summary>
    /// Takes in the probe's 4096 one-byte registers, folded to 1024: a register's two lowest index bits become
    /// the leading bits of the rest of the hash, so its rank here is theirs when they are not both zero.
    /// </summary>
    public void AddProbeRegisters(ReadOnlySpan<byte> registers)
    {
        if (registers.Length != 1 << ProbeBits) throw new ArgumentException($"a probe sketch has {1 << ProbeBits} registers", nameof(registers));
        ToRegisters();
        const int dropped = ProbeBits - Bits;
        for (var i = 0; i < registers.Length; i++)
        {
            if (registers[i] == 0) continue;
            var low = i & ((1 << dropped) - 1);
            var rank = low != 0 ? dropped - (32 - BitOperations.LeadingZeroCount((uint)low)) + 1 : dropped + registers[i];
            var index = i >> dropped;
            _registers![index] = (byte)Math.Max(_registers[index], Math.Min(rank, MaxRank));
        }
    }

    /// <summary>Unions a stored set (<see cref="ToText"/>); false, and nothing added, when the text is not one.</summary>
    public bool TryAdd(string text)
    {
        if (text.Length < 1) return false;
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(text[1..]);
        }
        catch (FormatException)
        {
            return false;
        }
        switch (text[0])
        {
            case 'x' when bytes.Length % 8 == 0:
                for (var i = 0; i < bytes.Length; i += 8) Add(BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(i)));
                return true;
            case 'h' when bytes.Length == Registers / 2:
                ToRegisters();
                for (var i = 0; i < Registers; i++)
                {
                    var rank = (byte)((bytes[i / 2] >> (i % 2 * 4)) & 0xF);
                    if (rank > _registers![i]) _registers[i] = rank;
                }
                return true;
            default:
                return false;
        }
    }

    public string ToText()
    {
        if (_registers is null)
        {
            var hashes = _items!.Order().ToArray();
            var bytes = new byte[hashes.Length * 8];
            for (var i = 0; i < hashes.Length; i++) BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i * 8), hashes[i]);
            return "x" + Convert.ToBase64String(bytes);
        }
        var packed = new byte[Registers / 2];
        for (var i = 0; i < Registers; i++) packed[i / 2] |= (byte)(_registers[i] << (i % 2 * 4));
        return "h" + Convert.ToBase64String(packed);
    }

    private void ToRegisters()
    {
        if (_registers is not null) return;
        _registers = new byte[Registers];
        foreach (var hash in _items!) AddToRegisters(_registers, hash);
        _items = null;
    }

    private static void AddToRegisters(byte[] registers, ulong hash)
    {
        var index = (int)(hash >> (64 - Bits));
        var rank = (byte)Math.Min(MaxRank, BitOperations.LeadingZeroCount(hash << Bits) + 1);
        if (rank > registers[index]) registers[index] = rank;
    }

    private static long Estimate(byte[] registers)
    {
        double sum = 0;
        var zeros = 0;
        foreach (var r in registers)
        {
            sum += Math.Pow(2, -r);
            if (r == 0) zeros++;
        }
        const double alpha = 0.7213 / (1 + 1.079 / Registers);
        var raw = alpha * Registers * Registers / sum;
        // Small range: linear counting is far more accurate while registers are still empty.
        if (raw <= 2.5 * Registers && zeros > 0) raw = Registers * Math.Log((double)Registers / zeros);
        return (long)Math.Round(raw);
    }
}
