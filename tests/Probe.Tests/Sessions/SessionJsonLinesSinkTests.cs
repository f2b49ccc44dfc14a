using System.Text.Json;
using Monitor.Probe.Sessions;
using Monitor.Storage.Sessions;
using Monitor.TestKit.Filesystems;

namespace Monitor.Probe.Tests.Sessions;

public sealed class SessionJsonLinesSinkTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    private static SessionRecord Tcp(int i) => new(
        Start.AddTicks(1_234_567 + i * 10L), Start.AddSeconds(1).AddTicks(89), 6,
        SessionAddress.Parse("128.232.110.120"), 34855, SessionAddress.Parse("66.35.250.204"), 80,
        PacketsSrc: 5 + i, BytesSrc: 420, PacketsDst: 4, BytesDst: 6000, FlagsSrc: 0x13, FlagsDst: 0x12,
        SessionState.SF, 0, 0, Vlan: 0, SessionEnd.Closed);

    [Fact]
    public void A_tcp_record_is_one_line_with_every_contract_field_in_order()
    {
        using var dir = new TempDirectory();
        var path = dir.File("sessions.jsonl");
        using (var sink = new SessionJsonLinesSink(path)) sink.Write([Tcp(0)]);

        Assert.Equal(
            """{"start":"2026-11-23T10:00:00.123456Z","end":"2026-11-23T10:00:01.000008Z","proto":"tcp","src":"128.232.110.120","sport":34855,"dst":"66.35.250.204","dport":80,"packets_src":5,"bytes_src":420,"packets_dst":4,"bytes_dst":6000,"flags_src":"FS.","flags_dst":"S.","state":"SF","community_id":"1:LQU9qZlK+B5F3KDmev6m5PMibrg=","reason":"closed"}"""
            + "\n",
            File.ReadAllText(path));
    }

    [Fact]
    public void An_icmpv6_record_on_a_vlan_carries_type_code_and_vlan_and_no_tcp_flags()
    {
        using var dir = new TempDirectory();
        var path = dir.File("sessions.jsonl");
        var record = new SessionRecord(Start, Start, 58, SessionAddress.Parse("fe80::200:86ff:fe05:80da"), 135,
            SessionAddress.Parse("fe80::260:97ff:fe07:69ea"), 136, 1, 86, 1, 78, 0, 0, SessionState.OTH, 135, 0, Vlan: 42, SessionEnd.Open);
        using (var sink = new SessionJsonLinesSink(path)) sink.Write([record]);

        Assert.Equal(
            """{"start":"2026-11-23T10:00:00.000000Z","end":"2026-11-23T10:00:00.000000Z","proto":"icmp6","src":"fe80::200:86ff:fe05:80da","sport":135,"dst":"fe80::260:97ff:fe07:69ea","dport":136,"packets_src":1,"bytes_src":86,"packets_dst":1,"bytes_dst":78,"state":"OTH","icmp_type":135,"icmp_code":0,"vlan":42,"community_id":"1:dGHyGvjMfljg6Bppwm3bg0LO8TY=","reason":"open"}"""
            + "\n",
            File.ReadAllText(path));
    }

    [Fact]
    public void Times_format_as_dotnets_round_trip_to_the_microsecond_whether_or_not_the_second_repeats()
    {
        var random = new Random(3);
        var utf8 = new byte[27];
        var time = new DateTimeOffset(1999, 12, 31, 23, 59, 58, TimeSpan.Zero);
        for (var i = 0; i < 20_000; i++)
        {
            // Mostly steps within a second (the cached text), sometimes across seconds, days and years.
            time = time.AddTicks(random.Next(4) == 0 ? random.NextInt64(TimeSpan.TicksPerDay * 400) : random.Next(3_000_000));
            Assert.Equal(27, SessionJson.FormatTime(time, utf8));
            Assert.Equal(time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture),
                System.Text.Encoding.ASCII.GetString(utf8));
        }
    }

    [Fact]
    public void Records_past_the_write_buffer_are_all_on_disk_after_a_flush_each_line_whole()
    {
        using var dir = new TempDirectory();
        var path = dir.File("sessions.jsonl");
        using var sink = new SessionJsonLinesSink(path);
        var records = Enumerable.Range(0, 5_000).Select(Tcp).ToArray();
        sink.Write(records.AsSpan(0, 2_000));
        sink.Write(records.AsSpan(2_000));
        sink.Flush();

        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        var lines = reader.ReadToEnd().Split('\n');
        Assert.Equal(5_001, lines.Length);
        Assert.Equal("", lines[^1]);
        for (var i = 0; i < 5_000; i++)
            Assert.Equal(5 + i, JsonDocument.Parse(lines[i]).RootElement.GetProperty("packets_src").GetInt64());
    }

    [Theory]
    [InlineData(6)]
    [InlineData(58)]
    public void The_longest_record_fits_the_line_room_and_is_valid_json(int proto)
    {
        var widest = SessionAddress.Parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");
        var record = new SessionRecord(DateTimeOffset.MaxValue, DateTimeOffset.MaxValue, (byte)proto, widest, ushort.MaxValue,
            SessionAddress.Parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), ushort.MaxValue, long.MaxValue, long.MaxValue, long.MaxValue, long.MaxValue,
            0xFF, 0xFF, SessionState.RSTOS0, 255, 255, ushort.MaxValue, SessionEnd.Evicted);
        var line = new byte[SessionJson.MaxLine];

        var length = SessionJson.WriteLine(record, line);

        Assert.InRange(length, 1, SessionJson.MaxLine);
        Assert.Equal((byte)'\n', line[length - 1]);
        using var json = JsonDocument.Parse(line.AsMemory(0, length - 1));
        Assert.Equal(long.MaxValue, json.RootElement.GetProperty("bytes_dst").GetInt64());
        Assert.Equal(ushort.MaxValue, json.RootElement.GetProperty("vlan").GetInt32());
    }
}
