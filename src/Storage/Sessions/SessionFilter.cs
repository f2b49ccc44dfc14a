using System.Globalization;
using System.Net;

namespace Monitor.Storage.Sessions;

public enum Direction { Either, Src, Dst }

public enum Comparison { Greater, GreaterOrEqual, Less, LessOrEqual, Equal, NotEqual }

public enum Measure { Bytes, Packets, Duration }

/// <summary>
/// A tcpdump-like session filter: <c>host</c>, <c>net</c>, <c>port</c> (each optionally after <c>src</c> or
/// <c>dst</c>), <c>tcp</c>, <c>udp</c>, <c>icmp</c>, <c>icmp6</c>, <c>proto N</c>, <c>bytes &gt; N</c>,
/// <c>packets &gt; N</c>, <c>duration &gt; S</c>, <c>state S0</c>, joined by <c>and</c>/<c>or</c>/<c>not</c>
/// (also <c>&amp;&amp;</c>, <c>||</c>, <c>!</c>) and parentheses; <c>and</c> binds tighter than <c>or</c>.
/// </summary>
public abstract record SessionFilter
{
    public sealed record Or(SessionFilter Left, SessionFilter Right) : SessionFilter;
    public sealed record And(SessionFilter Left, SessionFilter Right) : SessionFilter;
    public sealed record Not(SessionFilter Inner) : SessionFilter;
    public sealed record Host(Direction Direction, UInt128 Address) : SessionFilter;
    public sealed record Net(Direction Direction, UInt128 First, UInt128 Last) : SessionFilter;
    public sealed record Port(Direction Direction, ushort Number) : SessionFilter;
    public sealed record Proto(byte Number) : SessionFilter;
    public sealed record Compare(Measure Measure, Comparison Comparison, double Value) : SessionFilter;
    public sealed record State(SessionState Value) : SessionFilter;

    /// <summary>Whether the filter needs a session's sums (bytes, packets, duration, state), not only its key.</summary>
    public bool NeedsTotals => this switch
    {
        Or o => o.Left.NeedsTotals || o.Right.NeedsTotals,
        And a => a.Left.NeedsTotals || a.Right.NeedsTotals,
        Not n => n.Inner.NeedsTotals,
        Compare or State => true,
        _ => false,
    };

    /// <summary>
    /// An address every session the filter matches has as its source or destination (<c>host A</c>, and an
    /// <c>and</c> with such a term on either side), or null: a store may then read only that host's records.
    /// </summary>
    public UInt128? RequiredHost => this switch
    {
        Host h => h.Address,
        And a => a.Left.RequiredHost ?? a.Right.RequiredHost,
        _ => null,
    };

    /// <summary>Parses a filter; null or blank text is null (every session).</summary>
    /// <exception cref="SessionFilterException">Names the word where the filter went wrong.</exception>
    public static SessionFilter? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var parser = new Parser(text);
        var filter = parser.ParseOr();
        if (!parser.AtEnd) throw parser.Error("expected 'and', 'or' or the end of the filter");
        return filter;
    }

    private sealed class Parser
    {
        private readonly string _text;
        private readonly List<(string Word, int At)> _tokens = [];
        private int _next;

        public Parser(string text)
        {
            _text = text;
            var i = 0;
            while (i < text.Length)
            {
                var c = text[i];
                if (char.IsWhiteSpace(c)) { i++; continue; }
                if (c is '(' or ')') { _tokens.Add((c.ToString(), i)); i++; continue; }
                if (c is '>' or '<' or '=' or '!')
                {
                    var length = i + 1 < text.Length && text[i + 1] == '=' ? 2 : 1;
                    _tokens.Add((text.Substring(i, length), i));
                    i += length;
                    continue;
                }
                if ((c is '&' or '|') && i + 1 < text.Length && text[i + 1] == c)
                {
                    _tokens.Add((text.Substring(i, 2), i));
                    i += 2;
                    continue;
                }
                var start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('(' or ')' or '>' or '<' or '=' or '!')) i++;
                if (i == start) i++; // a lone '&' or '|': a word of its own, rejected by the grammar
                _tokens.Add((text[start..i], start));
            }
        }

        public bool AtEnd => _next >= _tokens.Count;

        private string? Peek => AtEnd ? null : _tokens[_next].Word.ToLowerInvariant();

        public SessionFilterException Error(string expected)
        {
            if (AtEnd) return new SessionFilterException($"{expected}, but the filter ends at position {_text.Length + 1}", _text.Length, "");
            var (word, at) = _tokens[_next];
            return new SessionFilterException($"'{word}' at position {at + 1} (word {_next + 1}): {expected}", at, word);
        }

        public SessionFilter ParseOr()
        {
            var left = ParseAnd();
            while (Peek is "or" or "||")
            {
                _next++;
                left = new Or(left, ParseAnd());
            }
            return left;
        }

        private SessionFilter ParseAnd()
        {
            var left = ParseNot();
            while (Peek is "and" or "&&")
            {
                _next++;
                left = new And(left, ParseNot());
            }
            return left;
        }

        private SessionFilter ParseNot()
        {
            if (Peek is "not" or "!")
            {
                _next++;
                return new Not(ParseNot());
            }
            return ParsePrimary();
        }

        private SessionFilter ParsePrimary()
        {
            switch (Peek)
            {
                case "(":
                {
                    _next++;
                    var inner = ParseOr();
                    if (Peek != ")") throw Error("expected ')'");
                    _next++;
                    return inner;
                }
                case "src":
                    _next++;
                    return ParseEndpoint(Direction.Src);
                case "dst":
                    _next++;
                    return ParseEndpoint(Direction.Dst);
                case "host" or "net" or "port":
                    return ParseEndpoint(Direction.Either);
                case "tcp": _next++; return new Proto(6);
                case "udp": _next++; return new Proto(17);
                case "icmp": _next++; return new Proto(1);
                case "icmp6": _next++; return new Proto(58);
                case "proto":
                {
                    _next++;
                    if (AtEnd || !SessionNames.TryParseProto(_tokens[_next].Word, out var number)) throw Error("expected a protocol name or number 0-255 after 'proto'");
                    _next++;
                    return new Proto(number);
                }
                case "bytes": _next++; return ParseCompare(Measure.Bytes);
                case "packets": _next++; return ParseCompare(Measure.Packets);
                case "duration": _next++; return ParseCompare(Measure.Duration);
                case "state":
                {
                    _next++;
                    if (AtEnd || !Enum.TryParse<SessionState>(_tokens[_next].Word, ignoreCase: true, out var state) || !Enum.IsDefined(state)
                        || char.IsDigit(_tokens[_next].Word[0]))
                        throw Error($"expected a state ({string.Join(", ", Enum.GetNames<SessionState>())}) after 'state'");
                    _next++;
                    return new State(state);
                }
                default:
                    throw Error("expected host, net, port, src, dst, tcp, udp, icmp, icmp6, proto, bytes, packets, duration, state, not or '('");
            }
        }

        private SessionFilter ParseEndpoint(Direction direction)
        {
            var kind = Peek;
            if (kind is not ("host" or "net" or "port"))
            {
                // tcpdump allows "src 10.0.0.1" for "src host 10.0.0.1".
                if (direction != Direction.Either && !AtEnd && IPAddress.TryParse(_tokens[_next].Word, out var bare))
                {
                    _next++;
                    return new Host(direction, SessionAddress.From(bare));
                }
                throw Error("expected 'host', 'net' or 'port'");
            }
            _next++;
            if (AtEnd) throw Error($"expected a value after '{kind}'");
            var word = _tokens[_next].Word;
            switch (kind)
            {
                case "host":
                    if (!IPAddress.TryParse(word, out var address)) throw Error("expected an IPv4 or IPv6 address after 'host'");
                    _next++;
                    return new Host(direction, SessionAddress.From(address));
                case "net":
                {
                    if (!IPNetwork.TryParse(word, out var network)) throw Error("expected a network such as 192.0.2.0/24 after 'net'");
                    _next++;
                    var (first, last) = SessionAddress.Range(network);
                    return new Net(direction, first, last);
                }
                default:
                    if (!ushort.TryParse(word, NumberStyles.None, CultureInfo.InvariantCulture, out var port)) throw Error("expected a port number 0-65535 after 'port'");
                    _next++;
                    return new Port(direction, port);
            }
        }

        private SessionFilter ParseCompare(Measure measure)
        {
            var comparison = Peek switch
            {
                ">" => Comparison.Greater,
                ">=" => Comparison.GreaterOrEqual,
                "<" => Comparison.Less,
                "<=" => Comparison.LessOrEqual,
                "=" or "==" => Comparison.Equal,
                "!=" => Comparison.NotEqual,
                _ => throw Error("expected >, >=, <, <=, = or != "),
            };
            _next++;
            if (AtEnd || !double.TryParse(_tokens[_next].Word, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0 || !double.IsFinite(value))
                throw Error(measure == Measure.Duration ? "expected a number of seconds" : "expected a number");
            _next++;
            return new Compare(measure, comparison, value);
        }
    }
}

/// <summary>A filter that does not parse; <see cref="Position"/> (0-based) and <see cref="Word"/> say where.</summary>
public sealed class SessionFilterException(string message, int position, string word) : FormatException(message)
{
    public int Position { get; } = position;
    public string Word { get; } = word;
}
