using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Monitor.Probe.Capture;
using Monitor.Probe.Recording;
using Monitor.TestKit.Packets;
using Monitor.Web.Security;
using Monitor.Web.Tests.Support;

namespace Monitor.Web.Tests.Features.Packets;

/// <summary>The real site over a real recording: who may download, what a bad request gets, what a good one gets.</summary>
public sealed class PacketsApiTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
    private readonly string _apiKey = Credentials.NewApiKey();
    private readonly string _record = Directory.CreateTempSubdirectory("monitor-pcap-api-").FullName;
    private readonly MonitorSite _site;

    public PacketsApiTests()
    {
        using (var recorder = PacketRecorder.Start(new RecordSettings(_record, 1L << 30, TimeSpan.FromDays(1), 60, 262144), live: false,
                   NullLogger.Instance))
        {
            for (var i = 0; i < 3_000; i++)
            {
                var frame = i % 3 == 0
                    ? PacketBuilder.Tcp("192.0.2.7", "198.51.100.20", 40000, 80, 0x18, 100)
                    : PacketBuilder.Udp("10.0.0.1", "10.0.0.53", (ushort)(1024 + i), 53, 40);
                recorder.Offer(new RawPacket(T0.AddMilliseconds(100 * i).UtcTicks, frame.Length, LinkTypes.Ethernet, frame));
            }
        }
        _site = new MonitorSite(settings: new Dictionary<string, string?>
        {
            ["Auth:Users:0:Name"] = "ana",
            ["Auth:Users:0:PasswordHash"] = Credentials.HashPassword("ana", "correct horse battery"),
            ["Auth:ApiKeys:0:Name"] = "script",
            ["Auth:ApiKeys:0:Hash"] = Credentials.HashApiKey(_apiKey),
            ["Probe:Record"] = _record,
            ["Packets:MaxPackets"] = "150",
        });
    }

    public void Dispose()
    {
        _site.Dispose();
        Directory.Delete(_record, recursive: true);
    }

    private HttpClient Client(bool key = true)
    {
        var client = _site.CreateClient(new() { AllowAutoRedirect = false });
        if (key) client.DefaultRequestHeaders.Add("X-Api-Key", _apiKey);
        return client;
    }

    private static string Url(string from, string to, string? filter = null) =>
        $"/api/pcap?from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}"
        + (filter is null ? "" : "&filter=" + Uri.EscapeDataString(filter));

    [Fact]
    public async Task A_download_without_login_or_api_key_is_refused() =>
        Assert.Equal(HttpStatusCode.Unauthorized,
            (await Client(key: false).GetAsync(Url("2026-11-23T10:00:00Z", "2026-11-23T10:05:00Z"))).StatusCode);

    [Theory]
    [InlineData("2026-11-23T10:00:00Z", "2026-11-23T10:05:00Z", "host and and", "syntax error")]
    [InlineData("2026-11-23T10:05:00Z", "2026-11-23T10:00:00Z", null, "is after")]
    [InlineData("yesterday", "2026-11-23T10:00:00Z", null, "is not a time")]
    [InlineData("2026-11-01T00:00:00Z", "2026-11-23T10:00:00Z", null, "longer than")]
    public async Task A_bad_filter_or_range_is_a_400_that_says_what_is_wrong(string from, string to, string? filter, string message)
    {
        var response = await Client().GetAsync(Url(from, to, filter));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_download_is_a_pcap_attachment_named_after_probe_and_time_that_tcpdump_reads_within_the_packet_cap()
    {
        var response = await Client().GetAsync(Url("2026-11-23T10:00:00Z", "2026-11-23T10:01:00Z", "host 192.0.2.7 and host 198.51.100.20 and port 80"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.tcpdump.pcap", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("test-probe-20261123T100000Z-20261123T100100Z.pcap", response.Content.Headers.ContentDisposition!.FileName?.Trim('"'));
        var file = Path.Combine(_record, "..", Path.GetFileName(_record) + "-download.pcap");
        await File.WriteAllBytesAsync(file, await response.Content.ReadAsByteArrayAsync());
        try
        {
            // 200 packets of the conversation in that minute, cut at Packets:MaxPackets.
            Assert.Equal(150, TcpdumpCount(file, "tcp port 80"));
            Assert.Equal(0, TcpdumpCount(file, "udp"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static int TcpdumpCount(string file, string filter)
    {
        var start = new ProcessStartInfo("tcpdump") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-Z", "root", "-n", "-r", file, filter }) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var lines = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(30_000));
        Assert.True(process.ExitCode == 0, error.Result);
        return lines.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
    }
}
