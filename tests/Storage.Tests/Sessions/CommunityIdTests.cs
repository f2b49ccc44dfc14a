using Monitor.Storage.Sessions;

namespace Monitor.Storage.Tests.Sessions;

/// <summary>The test vectors of the reference implementation (corelight/pycommunityid, seed 0 and seed 1).</summary>
public sealed class CommunityIdTests
{
    [Theory]
    [InlineData(6, "128.232.110.120", 34855, "66.35.250.204", 80, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=", "1:3V71V58M3Ksw/yuFALMcW0LAHvc=")]
    [InlineData(6, "66.35.250.204", 80, "128.232.110.120", 34855, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=", "1:3V71V58M3Ksw/yuFALMcW0LAHvc=")]
    [InlineData(6, "10.0.0.1", 10, "10.0.0.2", 11569, "1:SXBGMX1lBOwhhoDrZynfROxnhnM=", "1:HmBRGR+fUyXF4t8WEtal7Y0gEAo=")]
    [InlineData(17, "192.168.1.52", 54585, "8.8.8.8", 53, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=", "1:Q9We8WO3piVF8yEQBNJF4uiSVrI=")]
    [InlineData(17, "8.8.8.8", 53, "192.168.1.52", 54585, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=", "1:Q9We8WO3piVF8yEQBNJF4uiSVrI=")]
    [InlineData(132, "192.168.170.8", 7, "192.168.170.56", 80, "1:jQgCxbku+pNGw8WPbEc/TS/uTpQ=", "1:Y1/0jQg6e+I3ZwZZ9LP65DNbTXU=")]
    [InlineData(46, "10.1.24.4", 0, "10.1.12.1", 0, "1:/nQI4Rh/TtY3mf0R2gJFBkVlgS4=", "1:BK3BVW3U2eemuwVQVN3zd/GULno=")]
    [InlineData(46, "10.1.12.1", 0, "10.1.24.4", 0, "1:/nQI4Rh/TtY3mf0R2gJFBkVlgS4=", "1:BK3BVW3U2eemuwVQVN3zd/GULno=")]
    public void Ports_and_addresses_hash_to_the_reference_ids_in_either_direction(int proto, string src, int sport, string dst, int dport, string seed0, string seed1)
    {
        Assert.Equal(seed0, CommunityId.Of((byte)proto, SessionAddress.Parse(src), (ushort)sport, SessionAddress.Parse(dst), (ushort)dport));
        Assert.Equal(seed1, CommunityId.Of((byte)proto, SessionAddress.Parse(src), (ushort)sport, SessionAddress.Parse(dst), (ushort)dport, seed: 1));
    }

    [Theory]
    [InlineData(1, "192.168.0.89", "192.168.0.1", 8, 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=")]
    [InlineData(1, "192.168.0.1", "192.168.0.89", 0, 8, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=")]
    [InlineData(1, "192.168.0.89", "192.168.0.1", 20, 0, "1:3o2RFccXzUgjl7zDpqmY7yJi8rI=")]
    [InlineData(1, "192.168.0.89", "192.168.0.1", 20, 1, "1:tz/fHIDUHs19NkixVVoOZywde+I=")]
    [InlineData(1, "192.168.0.1", "192.168.0.89", 0, 20, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=")]
    [InlineData(58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 0, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=")]
    [InlineData(58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 0, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=")]
    [InlineData(58, "3ffe:507:0:1:260:97ff:fe07:69ea", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0, "1:NdobDX8PQNJbAyfkWxhtL2Pqp5w=")]
    [InlineData(58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:507:0:1:260:97ff:fe07:69ea", 3, 0, "1:/OGBt9BN1ofenrmSPWYicpij2Vc=")]
    public void Icmp_type_and_code_map_to_zeeks_port_equivalents_before_hashing(int proto, string src, string dst, int type, int code, string expected)
    {
        var (sport, dport, _) = CommunityId.PortEquivalents(proto == 58, (byte)type, (byte)code);
        Assert.Equal(expected, CommunityId.Of((byte)proto, SessionAddress.Parse(src), sport, SessionAddress.Parse(dst), dport));
    }
}

public sealed class OneBlockSha1Tests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Every_message_length_that_fits_one_block_hashes_as_the_platforms_sha1_with_openssls_rounds_and_with_the_managed_ones(bool openSsl)
    {
        var random = new Random(11);
        Span<byte> ours = stackalloc byte[20];
        for (var length = 0; length <= OneBlockSha1.MaxInput; length++)
            for (var sample = 0; sample < 20; sample++)
            {
                var message = new byte[length];
                random.NextBytes(message);
                OneBlockSha1.Hash(message, ours, openSsl);
                Assert.Equal(System.Security.Cryptography.SHA1.HashData(message), ours.ToArray());
            }
    }

    [Fact]
    public void On_this_debian_machine_openssls_compression_function_does_the_rounds() =>
        Assert.True(OneBlockSha1.UsesOpenSsl, "libcrypto.so.3 with SHA1_Transform was not found");

    [Fact]
    public void A_message_longer_than_one_block_is_refused()
    {
        var hash = new byte[20];
        Assert.Throws<ArgumentException>(() => OneBlockSha1.Hash(new byte[OneBlockSha1.MaxInput + 1], hash));
    }
}
