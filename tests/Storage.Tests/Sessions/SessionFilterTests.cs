using Monitor.Storage.Sessions;

namespace Monitor.Storage.Tests.Sessions;

public sealed class SessionFilterTests
{
    [Fact]
    public void And_binds_tighter_than_or_and_not_applies_to_the_next_term()
    {
        var f = SessionFilter.Parse("tcp or udp and not port 53");
        var or = Assert.IsType<SessionFilter.Or>(f);
        Assert.Equal(new SessionFilter.Proto(6), or.Left);
        var and = Assert.IsType<SessionFilter.And>(or.Right);
        Assert.Equal(new SessionFilter.Not(new SessionFilter.Port(Direction.Either, 53)), and.Right);
    }

    [Fact]
    public void Tcpdump_shorthands_parse_as_tcpdump_reads_them()
    {
        Assert.Equal(SessionFilter.Parse("src host 10.0.0.1"), SessionFilter.Parse("src 10.0.0.1"));
        Assert.Equal(SessionFilter.Parse("tcp and not udp"), SessionFilter.Parse("tcp && !udp"));
        Assert.Equal(new SessionFilter.Compare(Measure.Bytes, Comparison.Greater, 1000), SessionFilter.Parse("bytes>1000"));
        Assert.Null(SessionFilter.Parse("  "));
    }

    [Theory]
    [InlineData("host 10.0.0.300", "'10.0.0.300' at position 6 (word 2): expected an IPv4 or IPv6 address after 'host'", 5)]
    [InlineData("tcp and prot 80", "'prot' at position 9 (word 3)", 8)]
    [InlineData("port 80 udp", "'udp' at position 9 (word 3): expected 'and', 'or' or the end of the filter", 8)]
    [InlineData("bytes > lots", "'lots' at position 9", 8)]
    [InlineData("state XX", "'XX' at position 7", 6)]
    [InlineData("(tcp or udp", "expected ')', but the filter ends at position 12", 11)]
    [InlineData("net 10.0.0.0/33", "'10.0.0.0/33' at position 5", 4)]
    public void A_bad_filter_says_which_word_is_wrong_and_what_was_expected(string filter, string message, int position)
    {
        var e = Assert.Throws<SessionFilterException>(() => SessionFilter.Parse(filter));
        Assert.StartsWith(message, e.Message);
        Assert.Equal(position, e.Position);
    }
}
