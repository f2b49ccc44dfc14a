using Monitor.Probe.Capture;
using Monitor.Probe.Decode;
using Monitor.Probe.Sessions;
using Monitor.Storage.Sessions;
using Monitor.TestKit.Packets;

namespace Monitor.Probe.Tests.Sessions;

public sealed class SessionTableTests
{
    private const byte Syn = 0x02, Ack = 0x10, SynAck = 0x12, Fin = 0x01, Rst = 0x04, FinAck = 0x11;
    private static readonly long T0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;

    /// <summary>Records as the collector's thread hands them over.</summary>
    private sealed class Records : ISessionSink
    {
        public List<SessionRecord> All { get; } = [];
        public void Write(ReadOnlySpan<SessionRecord> records) { lock (All) All.AddRange(records.ToArray()); }
        public void Flush() { }
        public void Dispose() { }
    }

    private sealed class Harness : IDisposable
    {
        private readonly Records _records = new();
        private readonly SessionCollector _collector;
        private DecodedPacket _decoded;

        public Harness(int capacity = 4096, SessionOptions? options = null)
        {
            _collector = new SessionCollector([_records]);
            Table = new SessionTable(capacity, options ?? new SessionOptions(), _collector);
        }

        public SessionTable Table { get; }

        public void Send(double seconds, byte[] frame)
        {
            var raw = new RawPacket(T0 + (long)(seconds * TimeSpan.TicksPerSecond), frame.Length, LinkTypes.Ethernet, frame);
            PacketDecoder.Decode(raw, ref _decoded);
            Table.Count(in _decoded);
        }

        /// <summary>Ends every session and returns all records written.</summary>
        public List<SessionRecord> Close()
        {
            Table.Close();
            _collector.Complete();
            return _records.All;
        }

        public void Dispose() => _collector.Dispose();
    }

    private static UInt128 Ip(string text) => SessionAddress.Parse(text);

    [Fact]
    public void A_closed_tcp_connection_is_one_SF_record_with_the_syn_sender_as_src_and_counts_per_direction()
    {
        using var h = new Harness();
        var syn = PacketBuilder.Tcp("10.0.0.1", "192.0.2.7", 40000, 80, Syn);
        var synAck = PacketBuilder.Tcp("192.0.2.7", "10.0.0.1", 80, 40000, SynAck);
        var data = PacketBuilder.Tcp("192.0.2.7", "10.0.0.1", 80, 40000, Ack, payload: 1000);
        h.Send(0, syn);
        h.Send(0.1, synAck);
        h.Send(0.2, PacketBuilder.Tcp("10.0.0.1", "192.0.2.7", 40000, 80, Ack));
        h.Send(0.3, data);
        h.Send(0.4, PacketBuilder.Tcp("10.0.0.1", "192.0.2.7", 40000, 80, FinAck));
        h.Send(0.5, PacketBuilder.Tcp("192.0.2.7", "10.0.0.1", 80, 40000, FinAck));
        h.Table.Expire(T0 + 20 * TimeSpan.TicksPerSecond);

        var r = Assert.Single(h.Close());
        Assert.Equal((Ip("10.0.0.1"), (ushort)40000, Ip("192.0.2.7"), (ushort)80), (r.Src, r.SrcPort, r.Dst, r.DstPort));
        Assert.Equal(SessionState.SF, r.State);
        Assert.Equal(SessionEnd.Closed, r.Reason);
        Assert.Equal(3, r.PacketsSrc);
        Assert.Equal(3, r.PacketsDst);
        Assert.Equal(syn.Length * 3L, r.BytesSrc);
        Assert.Equal(synAck.Length * 2L + data.Length, r.BytesDst);
        Assert.Equal("FS.", SessionNames.Flags(r.FlagsSrc));
        Assert.Equal(TimeSpan.FromSeconds(0.5), r.Duration);
    }

    [Theory]
    [InlineData(new[] { Syn }, new byte[0], "S0")]
    [InlineData(new[] { Syn }, new[] { Rst }, "REJ")]
    [InlineData(new[] { Syn, Ack }, new[] { SynAck }, "S1")]
    [InlineData(new[] { Syn, Ack, Rst }, new[] { SynAck }, "RSTO")]
    [InlineData(new[] { Syn, Ack }, new[] { SynAck, Rst }, "RSTR")]
    [InlineData(new[] { Syn, FinAck }, new byte[0], "SH")]
    [InlineData(new[] { Ack }, new[] { Ack }, "OTH")]
    public void The_state_follows_zeeks_conn_state_from_the_flags_each_side_sent(byte[] fromSrc, byte[] fromDst, string state)
    {
        using var h = new Harness();
        var t = 0.0;
        // Replies follow the first packet, then the rest of the initiator's.
        h.Send(t += 0.1, PacketBuilder.Tcp("10.0.0.1", "10.0.0.2", 1234, 22, fromSrc[0]));
        foreach (var f in fromDst) h.Send(t += 0.1, PacketBuilder.Tcp("10.0.0.2", "10.0.0.1", 22, 1234, f));
        foreach (var f in fromSrc.Skip(1)) h.Send(t += 0.1, PacketBuilder.Tcp("10.0.0.1", "10.0.0.2", 1234, 22, f));

        var r = Assert.Single(h.Close());
        Assert.Equal(state, r.State.ToString());
    }

    [Fact]
    public void A_syn_ack_seen_first_makes_the_host_it_answers_the_initiator()
    {
        using var h = new Harness();
        h.Send(0, PacketBuilder.Tcp("192.0.2.7", "10.0.0.1", 443, 50000, SynAck));
        h.Send(0.1, PacketBuilder.Tcp("10.0.0.1", "192.0.2.7", 50000, 443, Ack));

        var r = Assert.Single(h.Close());
        Assert.Equal((Ip("10.0.0.1"), (ushort)50000), (r.Src, r.SrcPort));
        Assert.Equal((1L, 1L), (r.PacketsSrc, r.PacketsDst));
    }

    [Fact]
    public void Udp_is_SF_with_a_reply_and_S0_without_and_its_src_is_the_first_sender()
    {
        using var h = new Harness();
        h.Send(0, PacketBuilder.Udp("10.0.0.1", "8.8.8.8", 5353, 53, 40));
        h.Send(0.01, PacketBuilder.Udp("8.8.8.8", "10.0.0.1", 53, 5353, 100));
        h.Send(0.02, PacketBuilder.Udp("10.0.0.9", "8.8.8.8", 6000, 53, 40));

        var records = h.Close().OrderBy(r => r.Start).ToList();
        Assert.Equal(2, records.Count);
        Assert.Equal((Ip("10.0.0.1"), SessionState.SF), (records[0].Src, records[0].State));
        Assert.Equal(SessionState.S0, records[1].State);
    }

    [Fact]
    public void Pings_are_told_apart_by_echo_id_and_carry_zeeks_icmp_port_equivalents()
    {
        using var h = new Harness();
        byte[] Echo(string src, string dst, byte type, ushort id)
        {
            var frame = PacketBuilder.Icmp(src, dst, type, 0, payload: 32);
            frame[14 + 20 + 4] = (byte)(id >> 8);
            frame[14 + 20 + 5] = (byte)id;
            return frame;
        }
        h.Send(0, Echo("10.0.0.1", "10.0.0.2", 8, 7));
        h.Send(0.1, Echo("10.0.0.2", "10.0.0.1", 0, 7));
        h.Send(0.2, Echo("10.0.0.1", "10.0.0.2", 8, 8));

        var records = h.Close().OrderBy(r => r.Start).ToList();
        Assert.Equal(2, records.Count);
        Assert.Equal((1L, 1L, (ushort)8, (ushort)0, SessionState.SF), (records[0].PacketsSrc, records[0].PacketsDst, records[0].SrcPort, records[0].DstPort, records[0].State));
        Assert.Equal((1L, 0L), (records[1].PacketsSrc, records[1].PacketsDst));
        Assert.Equal((byte)8, records[0].IcmpType);
    }

    [Fact]
    public void A_packet_after_the_idle_timeout_starts_a_new_session_and_the_old_one_ends_idle()
    {
        using var h = new Harness(options: new SessionOptions { UdpIdle = 60 });
        h.Send(0, PacketBuilder.Udp("10.0.0.1", "10.0.0.2", 1000, 2000));
        h.Send(61, PacketBuilder.Udp("10.0.0.1", "10.0.0.2", 1000, 2000));

        var records = h.Close().OrderBy(r => r.Start).ToList();
        Assert.Equal(2, records.Count);
        Assert.Equal(SessionEnd.Idle, records[0].Reason);
        Assert.Equal(SessionEnd.Stopped, records[1].Reason);
    }

    [Fact]
    public void Expiry_at_a_seconds_end_writes_only_the_sessions_idle_past_their_protocols_timeout()
    {
        using var h = new Harness(options: new SessionOptions { UdpIdle = 60, TcpIdle = 300 });
        h.Send(0, PacketBuilder.Udp("10.0.0.1", "10.0.0.2", 1000, 2000));
        h.Send(0, PacketBuilder.Tcp("10.0.0.1", "10.0.0.2", 1000, 2000, Syn));
        h.Table.Expire(T0 + 61 * TimeSpan.TicksPerSecond);
        Assert.Equal(1, h.Table.Open);
        h.Table.Expire(T0 + 301 * TimeSpan.TicksPerSecond);
        Assert.Equal(0, h.Table.Open);
        Assert.Equal(2, h.Close().Count);
    }

    [Fact]
    public void A_session_open_at_an_intervals_end_gets_a_status_record_and_its_records_add_up_to_its_packets()
    {
        using var h = new Harness();
        for (var i = 0; i < 10; i++) h.Send(i, PacketBuilder.Udp("10.0.0.1", "10.0.0.2", 1000, 2000, 100));
        h.Table.ReportOpen();
        for (var i = 10; i < 15; i++) h.Send(i, PacketBuilder.Udp("10.0.0.2", "10.0.0.1", 2000, 1000, 100));

        var records = h.Close();
        Assert.Equal(2, records.Count);
        Assert.Equal(SessionEnd.Open, records[0].Reason);
        Assert.Equal((10L, 0L), (records[0].PacketsSrc, records[0].PacketsDst));
        Assert.Equal((0L, 5L), (records[1].PacketsSrc, records[1].PacketsDst));
        Assert.Equal(records[0].Start, records[1].Start);
        Assert.Equal(SessionState.SF, records[1].State);
    }

    [Fact]
    public void A_full_table_writes_its_oldest_idle_sessions_early_as_complete_records_and_counts_them()
    {
        using var h = new Harness(capacity: 1024);
        // A spoofed flood: 5,000 one-packet sources.
        for (var i = 0; i < 5000; i++)
            h.Send(i * 0.001, PacketBuilder.Tcp($"198.51.{i >> 8}.{i & 255}", "10.0.0.1", 4000, 80, Syn));
        Assert.Equal(1024, h.Table.Open);
        Assert.Equal(5000 - 1024, h.Table.EvictedEarly);

        var records = h.Close();
        Assert.Equal(5000, records.Count);
        Assert.Equal(5000, records.Sum(r => r.PacketsSrc));
        var evicted = records.Where(r => r.Reason == SessionEnd.Evicted).ToList();
        Assert.Equal(5000 - 1024, evicted.Count);
        Assert.True(evicted.Max(r => r.Start) < records.Where(r => r.Reason == SessionEnd.Stopped).Min(r => r.Start));
    }

    [Fact]
    public void A_new_syn_on_a_closed_connections_ports_starts_a_new_session()
    {
        using var h = new Harness();
        h.Send(0, PacketBuilder.Tcp("10.0.0.1", "10.0.0.2", 1000, 80, Syn));
        h.Send(0.1, PacketBuilder.Tcp("10.0.0.2", "10.0.0.1", 80, 1000, Rst | Ack));
        h.Send(0.2, PacketBuilder.Tcp("10.0.0.1", "10.0.0.2", 1000, 80, Syn));

        var records = h.Close().OrderBy(r => r.Start).ToList();
        Assert.Equal([SessionState.REJ, SessionState.S0], records.Select(r => r.State));
    }

    [Fact]
    public void The_vlan_id_of_a_tagged_frame_is_kept_and_vlans_are_separate_sessions()
    {
        using var h = new Harness();
        h.Send(0, PacketBuilder.Udp("10.0.0.1", "10.0.0.2", 1000, 2000, vlans: [42]));
        h.Send(0.1, PacketBuilder.Udp("10.0.0.1", "10.0.0.2", 1000, 2000, vlans: [43]));

        Assert.Equal([42, 43], h.Close().Select(r => (int)r.Vlan).Order());
    }
}
