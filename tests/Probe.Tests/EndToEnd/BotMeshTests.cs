using System.Text.Json;
using Xunit.Abstractions;

namespace Monitor.Probe.Tests.EndToEnd;

/// <summary>Ourmon's botnet report on a generated bot mesh, read through the probe's command line.</summary>
public sealed class BotMeshTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _pcap = Path.Combine(Path.GetTempPath(), $"botmesh-{Guid.NewGuid():N}.pcap");

    public void Dispose() => File.Delete(_pcap);

    private static JsonElement Report(ProbeRun run, string name) => Assert.Single(run.Intervals).GetProperty("reports").GetProperty(name);

    [Fact]
    public async Task The_channel_whose_members_scan_ranks_above_the_ordinary_chat_and_is_evil()
    {
        var mesh = BotMeshCapture.Write(_pcap, seed: 19);
        // One 60 s interval holds the capture: the series are rates, written with four decimals.
        var run = await ProbeRun.RunAsync("--read", _pcap, "--interval", "60", "--top", "1000", "--store", "none", "--home-net", "10.0.0.0/8");
        Assert.Equal(0, run.ExitCode);

        var channels = Report(run, "irc_channels").EnumerateArray().ToList();
        Assert.Equal([BotMeshCapture.BotChannelFolded, BotMeshCapture.ChatChannel], channels.Select(c => c.GetProperty("channel").GetString()));
        var bots = channels[0];
        Assert.Equal(mesh.Bots.Count, bots.GetProperty("hosts").GetInt64());
        Assert.Equal(mesh.Scanners.Count, bots.GetProperty("scanners").GetInt64());
        Assert.True(bots.GetProperty("evil").GetBoolean());
        Assert.True(bots.GetProperty("max_work_weight").GetDouble() >= 90);
        Assert.Equal($"{BotMeshCapture.BotServer}:{BotMeshCapture.BotPort}", bots.GetProperty("servers").GetString());
        Assert.Equal(mesh.Scanners, bots.GetProperty("members").GetString()!.Split(' ').Take(mesh.Scanners.Count).Order());
        var chat = channels[1];
        Assert.Equal(mesh.ChatUsers.Count, chat.GetProperty("hosts").GetInt64());
        Assert.Equal(0, chat.GetProperty("scanners").GetInt64());
        Assert.False(chat.GetProperty("evil").GetBoolean());
        Assert.Equal($"{BotMeshCapture.ChatServer}:6667", chat.GetProperty("servers").GetString());

        var hosts = Report(run, "irc_hosts").EnumerateArray().ToDictionary(h => h.GetProperty("ip").GetString()!);
        Assert.Equal(mesh.Bots.Count + mesh.ChatUsers.Count, hosts.Count);
        var scanner = hosts[mesh.Scanners[0]];
        Assert.Equal(BotMeshCapture.BotChannelFolded, scanner.GetProperty("channels").GetString());
        Assert.Equal((2, 2, 1, 1), (scanner.GetProperty("joins").GetInt64(), scanner.GetProperty("privmsgs").GetInt64(),
            scanner.GetProperty("pings").GetInt64(), scanner.GetProperty("pongs").GetInt64()));
        Assert.Equal($"{BotMeshCapture.BotServer}:{BotMeshCapture.BotPort}", scanner.GetProperty("server").GetString());
        Assert.Equal(hosts.Keys.Take(mesh.Scanners.Count).Order(), mesh.Scanners);

        var interval = Assert.Single(run.Intervals);
        var seconds = (interval.GetProperty("end").GetDateTimeOffset() - interval.GetProperty("start").GetDateTimeOffset()).TotalSeconds;
        var metrics = interval.GetProperty("metrics");
        Assert.Equal(mesh.Joins, Math.Round(metrics.GetProperty("irc.joins").GetDouble() * seconds));
        Assert.Equal(mesh.Privmsgs, Math.Round(metrics.GetProperty("irc.privmsgs").GetDouble() * seconds));
        Assert.Equal(mesh.Pings, Math.Round(metrics.GetProperty("irc.pings").GetDouble() * seconds));
        Assert.Equal(mesh.Pongs, Math.Round(metrics.GetProperty("irc.pongs").GetDouble() * seconds));

        // The scanning bots are Ourmon's worms: flag I on their syn rows, port 445 first in their port signatures.
        Assert.Equal(mesh.Scanners.Count, metrics.GetProperty("worm.total").GetDouble());
        Assert.Equal(mesh.Scanners.Count, metrics.GetProperty("worm.home").GetDouble());
        Assert.Equal(0, metrics.GetProperty("worm.remote").GetDouble());
        var syn = Report(run, "syn").EnumerateArray().Single(r => r.GetProperty("ip").GetString() == mesh.Scanners[0]);
        Assert.Equal("I", syn.GetProperty("app_flags").GetString());
        var signature = Report(run, "port_signatures").EnumerateArray().Where(r => r.GetProperty("ip").GetString() == mesh.Scanners[0]).ToList();
        Assert.Equal([445L, 139L, 8585L], signature.Select(r => r.GetProperty("port").GetInt64()));
        Assert.Equal(135, signature[0].GetProperty("syns").GetInt64());

        foreach (var name in new[] { "irc_channels", "irc_hosts", "port_signatures" })
            foreach (var row in Report(run, name).EnumerateArray()) output.WriteLine($"{name}: {row.GetRawText()}");
    }
}
