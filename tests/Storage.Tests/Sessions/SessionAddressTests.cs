using System.Net;
using System.Text;
using Monitor.Storage.Sessions;

namespace Monitor.Storage.Tests.Sessions;

public sealed class SessionAddressTests
{
    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("9.10.99.100")]
    [InlineData("255.255.255.255")]
    [InlineData("192.0.2.7")]
    [InlineData("2001:db8::1")]
    [InlineData("fe80::200:86ff:fe05:80da")]
    [InlineData("::1")]
    public void An_address_is_written_as_ascii_exactly_as_its_text(string text)
    {
        var address = SessionAddress.Parse(text);
        Span<byte> utf8 = stackalloc byte[SessionAddress.MaxTextLength];
        var written = SessionAddress.FormatUtf8(address, utf8);
        Assert.Equal(text, Encoding.ASCII.GetString(utf8[..written]));
        Assert.Equal(SessionAddress.ToText(address), Encoding.ASCII.GetString(utf8[..written]));
    }

    [Fact]
    public void Ten_thousand_seeded_ipv4_addresses_are_written_as_ipaddress_prints_them()
    {
        var random = new Random(7);
        Span<byte> utf8 = stackalloc byte[SessionAddress.MaxTextLength];
        for (var i = 0; i < 10_000; i++)
        {
            var v4 = (uint)random.NextInt64(0, 1L << 32);
            var written = SessionAddress.FormatUtf8(SessionAddress.FromV4(v4), utf8);
            var expected = new IPAddress([(byte)(v4 >> 24), (byte)(v4 >> 16), (byte)(v4 >> 8), (byte)v4]).ToString();
            Assert.Equal(expected, Encoding.ASCII.GetString(utf8[..written]));
        }
    }
}
