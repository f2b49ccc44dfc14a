using System.Text;
using Monitor.Probe.Capture;
using Monitor.TestKit.Packets;

namespace Monitor.Probe.Tests.EndToEnd;

/// <summary>
/// A seeded capture of Ourmon's botnet picture: bots of the home network (10.1.0.x) join one channel on a command
/// server at a non-standard port, and some of them SYN-scan port 445 outside; beside it an ordinary chat channel on
/// port 6667 whose members (10.2.0.x) only talk and browse. Every TCP conversation is built packet by packet.
/// </summary>
public sealed class BotMeshCapture
{
    public const string BotServer = "203.0.113.66";
    public const ushort BotPort = 8585;
    public const string BotChannel = "#bot[net]";
    public const string BotChannelFolded = "#bot{net}";
    public const string ChatServer = "192.0.2.10";
    public const string ChatChannel = "#chat";

    public required string Path { get; init; }
    public required IReadOnlyList<string> Bots { get; init; }
    public required IReadOnlyList<string> Scanners { get; init; }
    public required IReadOnlyList<string> ChatUsers { get; init; }
    public required long Joins { get; init; }
    public required long Privmsgs { get; init; }
    public required long Pings { get; init; }
    public required long Pongs { get; init; }

    /// <summary>An Ethernet/IPv4/TCP frame whose payload is <paramref name="payload"/>.</summary>
    public static byte[] Tcp(string src, string dst, ushort sport, ushort dport, byte flags, ReadOnlySpan<byte> payload)
    {
        var frame = PacketBuilder.Tcp(src, dst, sport, dport, flags, payload.Length);
        payload.CopyTo(frame.AsSpan(frame.Length - payload.Length));
        return frame;
    }

    public static BotMeshCapture Write(string path, int seed, int bots = 6, int scanners = 3, int chatUsers = 8)
    {
        var random = new Random(seed);
        var time = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
        using var writer = new PcapFileWriter(path);
        long joins = 0, privmsgs = 0, pings = 0, pongs = 0;
        void Write(byte[] frame)
        {
            time = time.AddMilliseconds(random.Next(1, 50));
            writer.Write(time, frame);
        }
        // A TCP session: handshake, the lines each way, FINs.
        void Session(string client, ushort sport, string server, ushort port, IEnumerable<(bool FromServer, string Lines)> talk)
        {
            Write(PacketBuilder.Tcp(client, server, sport, port, 0x02));
            Write(PacketBuilder.Tcp(server, client, port, sport, 0x12));
            Write(PacketBuilder.Tcp(client, server, sport, port, 0x10));
            foreach (var (fromServer, lines) in talk)
            {
                var bytes = Encoding.ASCII.GetBytes(lines);
                if (fromServer)
                {
                    Write(Tcp(server, client, port, sport, 0x18, bytes));
                    Write(PacketBuilder.Tcp(client, server, sport, port, 0x10));
                }
                else
                {
                    Write(Tcp(client, server, sport, port, 0x18, bytes));
                    Write(PacketBuilder.Tcp(server, client, port, sport, 0x10));
                }
            }
            Write(PacketBuilder.Tcp(client, server, sport, port, 0x11));
            Write(PacketBuilder.Tcp(server, client, port, sport, 0x11));
            Write(PacketBuilder.Tcp(client, server, sport, port, 0x10));
        }

        var botList = Enumerable.Range(1, bots).Select(i => $"10.1.0.{i}").ToList();
        var scannerList = botList.Take(scanners).ToList();
        foreach (var (bot, i) in botList.Select((b, i) => (b, i)))
        {
            var sport = (ushort)random.Next(30000, 60000);
            // Client lines without a prefix, server lines with one; the JOIN in mixed case, folded by the report.
            Session(bot, sport, BotServer, BotPort,
            [
                (false, $"NICK bot{i}\r\nUSER bot{i} 0 * :bot\r\nJOIN #Bot[Net] sesame\r\n"),
                (true, $":cc.example 001 bot{i} :welcome\r\n:bot{i}!b@h JOIN :#bot[net]\r\n:master!m@h PRIVMSG #bot[net] :.scan 445\r\n"),
                (true, "PING :cc.example\r\n"),
                (false, "PONG :cc.example\r\n"),
                (false, $"PRIVMSG #bot[net] :bot{i} ready\r\n"),
            ]);
            joins += 2;
            privmsgs += 2;
            pings++;
            pongs++;
        }
        // The scanning bots: unanswered SYNs to port 445 across 198.51.100.0/24 and 192.0.2.0/24.
        foreach (var bot in scannerList)
            for (var k = 0; k < 150; k++)
                Write(PacketBuilder.Tcp(bot, $"198.51.{100 + k % 2}.{random.Next(1, 255)}", (ushort)random.Next(30000, 60000), (ushort)(k % 10 == 0 ? 139 : 445), 0x02));

        var chatList = Enumerable.Range(1, chatUsers).Select(i => $"10.2.0.{i}").ToList();
        foreach (var (user, i) in chatList.Select((u, i) => (u, i)))
        {
            var talk = new List<(bool, string)>
            {
                (false, $"NICK user{i}\r\nUSER user{i} 0 * :user\r\nJOIN {ChatChannel}\r\n"),
                (true, $":irc.example 001 user{i} :welcome\r\n:user{i}!u@h JOIN :{ChatChannel}\r\n"),
            };
            for (var m = 0; m < 5; m++)
            {
                talk.Add((false, $"PRIVMSG {ChatChannel} :hello number {m}\r\n"));
                talk.Add((true, $":friend!f@h PRIVMSG {ChatChannel} :hi there\r\n"));
            }
            Session(user, (ushort)random.Next(30000, 60000), ChatServer, 6667, talk);
            joins += 2;
            privmsgs += 10;
            // Ordinary browsing: a request and a few answers per user.
            Session(user, (ushort)random.Next(30000, 60000), "198.51.100.80", 80,
                [(false, "GET / HTTP/1.1\r\nHost: www.example\r\n\r\n"), (true, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"), (true, "more")]);
        }
        return new BotMeshCapture
        {
            Path = path, Bots = botList, Scanners = scannerList, ChatUsers = chatList,
            Joins = joins, Privmsgs = privmsgs, Pings = pings, Pongs = pongs,
        };
    }
}
