using System.Net;
using Monitor.Probe.Decode;

namespace Monitor.Probe.Recording;

/// <summary>
/// The addresses and ports every packet a BPF expression matches must carry, as far as a plain reading
/// of the expression tells: the <c>host A</c> and <c>port P</c> primitives of a top-level conjunction.
/// Used only to skip index blocks; libpcap still decides every packet. An expression with <c>or</c>,
/// <c>not</c> or parentheses yields no terms (every block in the time range is read).
/// </summary>
public sealed record IndexTerms(IReadOnlyList<IpAddressKey> Addresses, IReadOnlyList<int> Ports)
{
    public static readonly IndexTerms None = new([], []);

    private static readonly HashSet<string> Qualifiers = ["ip", "ip6", "tcp", "udp", "sctp", "src", "dst"];

    public bool IsEmpty => Addresses.Count == 0 && Ports.Count == 0;

    public static IndexTerms FromFilter(string? filter)
    {
        if (string.IsNullOrWhiteSpace(filter) || filter.IndexOfAny(['(', ')', '!', '|']) >= 0) return None;
        var tokens = filter.Split((char[])[' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Any(t => t.Equals("or", StringComparison.OrdinalIgnoreCase) || t.Equals("not", StringComparison.OrdinalIgnoreCase)))
            return None;
        var addresses = new List<IpAddressKey>();
        var ports = new List<int>();
        var clause = new List<string>();
        void Take()
        {
            // A clause such as `src host A` or `tcp port P`; any other primitive narrows further and is ignored here.
            var rest = clause.SkipWhile(t => Qualifiers.Contains(t.ToLowerInvariant())).ToList();
            if (rest.Count == 2 && rest[0].Equals("host", StringComparison.OrdinalIgnoreCase) && IPAddress.TryParse(rest[1], out var address))
                addresses.Add(IpAddressKey.From(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address));
            else if (rest.Count == 2 && rest[0].Equals("port", StringComparison.OrdinalIgnoreCase)
                     && int.TryParse(rest[1], out var port) && port is >= 0 and <= 65535)
                ports.Add(port);
            clause.Clear();
        }
        foreach (var token in tokens)
        {
            if (token is "&&" || token.Equals("and", StringComparison.OrdinalIgnoreCase)) Take();
            else clause.Add(token);
        }
        Take();
        return new IndexTerms(addresses, ports);
    }

    public bool MayMatch(BlockIndex block)
    {
        foreach (var address in Addresses)
            if (!block.MayHoldAddress(address)) return false;
        foreach (var port in Ports)
            if (!block.MayHoldPort(port)) return false;
        return true;
    }
}
