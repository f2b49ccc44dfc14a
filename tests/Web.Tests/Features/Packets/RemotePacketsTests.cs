using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Monitor.Probe.Capture;
using Monitor.Probe.Recording;
using Monitor.TestKit.Filesystems;
using Monitor.TestKit.Packets;
using Monitor.Web.Security;
using Monitor.Web.Tests.Support;

namespace Monitor.Web.Tests.Features.Packets;

/// <summary>
/// Two real sites on loopback, each its own monitor-web process, as on two machines: the probe's site serves its
/// recording at <c>/api/pcap</c> behind its own API keys, and the central site answers downloads for that probe
/// (<c>Packets:Remote:probe-b</c>) by forwarding the query with its key and streaming the answer through.
/// </summary>
public sealed class TwoSites : IAsyncLifetime
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
    private readonly string _centralKey = Credentials.NewApiKey();
    private readonly TempDirectory _record = new();

    public string AnalystKey { get; } = Credentials.NewApiKey();
    public SiteProcess ProbeSite { get; private set; } = null!;
    public SiteProcess Central { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using (var recorder = PacketRecorder.Start(new RecordSettings(_record.Path, 1L << 30, TimeSpan.FromDays(1), 60, 262144), live: false,
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
        // The probe's site knows the central site's key and the analyst's (who may also ask it directly).
        ProbeSite = await SiteProcess.StartAsync(
            ("Probe:Name", "probe-b"),
            ("Probe:Record", _record.Path),
            ("Auth:ApiKeys:0:Name", "central"),
            ("Auth:ApiKeys:0:Hash", Credentials.HashApiKey(_centralKey)),
            ("Auth:ApiKeys:1:Name", "analyst"),
            ("Auth:ApiKeys:1:Hash", Credentials.HashApiKey(AnalystKey)));
        Central = await SiteProcess.StartAsync(
            ("Probe:Name", "central"),
            ("Auth:ApiKeys:0:Name", "analyst"),
            ("Auth:ApiKeys:0:Hash", Credentials.HashApiKey(AnalystKey)),
            ("Packets:Remote:probe-b:Url", ProbeSite.BaseUrl),
            ("Packets:Remote:probe-b:ApiKey", _centralKey),
            // A probe whose site is down (nothing listens on the discard port), and one whose site does not know the key.
            ("Packets:Remote:probe-gone:Url", "http://127.0.0.1:9"),
            ("Packets:Remote:probe-gone:ApiKey", _centralKey),
            ("Packets:Remote:probe-b-old-key:Url", ProbeSite.BaseUrl),
            ("Packets:Remote:probe-b-old-key:ApiKey", Credentials.NewApiKey()));
    }

    public Task DisposeAsync()
    {
        Central?.Dispose();
        ProbeSite?.Dispose();
        _record.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>Downloads of a remote probe's packets through the central site (see <see cref="TwoSites"/>).</summary>
public sealed class RemotePacketsTests(TwoSites sites) : IClassFixture<TwoSites>
{
    private SiteProcess ProbeSite => sites.ProbeSite;
    private SiteProcess Central => sites.Central;

    private async Task<HttpResponseMessage> GetAsync(SiteProcess site, string probe, string filter)
    {
        using var client = new HttpClient { BaseAddress = new Uri(site.BaseUrl) };
        client.DefaultRequestHeaders.Add("X-Api-Key", sites.AnalystKey);
        return await client.GetAsync(
            $"/api/pcap?probe={probe}&from=2026-11-23T10:00:00Z&to=2026-11-23T10:01:00Z&filter={Uri.EscapeDataString(filter)}");
    }

    [Fact]
    public async Task The_central_site_answers_a_remote_probes_download_with_the_same_bytes_as_the_probes_own_site_and_both_log_it()
    {
        const string filter = "host 192.0.2.7 and host 198.51.100.20 and port 80";
        using var direct = await GetAsync(ProbeSite, "probe-b", filter);
        using var forwarded = await GetAsync(Central, "probe-b", filter);

        Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
        Assert.Equal(HttpStatusCode.OK, forwarded.StatusCode);
        Assert.Equal("application/vnd.tcpdump.pcap", forwarded.Content.Headers.ContentType!.MediaType);
        Assert.Equal("probe-b-20261123T100000Z-20261123T100100Z.pcap", forwarded.Content.Headers.ContentDisposition!.FileName?.Trim('"'));
        var bytes = await forwarded.Content.ReadAsByteArrayAsync();
        Assert.Equal(await direct.Content.ReadAsByteArrayAsync(), bytes);
        // The minute holds 600 packets, 200 of them the conversation.
        Assert.Equal(200, TcpdumpCount(bytes, "tcp port 80"));
        Assert.Equal(0, TcpdumpCount(bytes, "udp"));

        await Central.WaitForLogAsync("Packets download by analyst: probe probe-b from " + ProbeSite.BaseUrl, $"{bytes.Length} bytes");
        await ProbeSite.WaitForLogAsync("Packets download by central: probe probe-b", "200 packets");
        await ProbeSite.WaitForLogAsync("Packets download by analyst: probe probe-b", "200 packets");
    }

    [Fact]
    public async Task A_bad_filter_gets_the_remote_sites_400_and_its_message()
    {
        using var direct = await GetAsync(ProbeSite, "probe-b", "host and and");
        using var forwarded = await GetAsync(Central, "probe-b", "host and and");

        Assert.Equal(HttpStatusCode.BadRequest, forwarded.StatusCode);
        var message = Detail(await forwarded.Content.ReadAsStringAsync());
        Assert.Contains("syntax error", message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(Detail(await direct.Content.ReadAsStringAsync()), message);
    }

    [Fact]
    public async Task A_remote_site_that_is_down_or_refuses_the_key_is_a_502_that_names_the_probe_and_why()
    {
        using var down = await GetAsync(Central, "probe-gone", "port 80");
        Assert.Equal(HttpStatusCode.BadGateway, down.StatusCode);
        Assert.Contains("the site of probe 'probe-gone' at http://127.0.0.1:9/ cannot be reached", Detail(await down.Content.ReadAsStringAsync()));

        using var refused = await GetAsync(Central, "probe-b-old-key", "port 80");
        Assert.Equal(HttpStatusCode.BadGateway, refused.StatusCode);
        Assert.Contains("refused this site's key (Packets:Remote:probe-b-old-key:ApiKey) with 401", Detail(await refused.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task A_remote_probe_without_an_absolute_http_url_or_a_key_stops_the_start_naming_every_bad_key()
    {
        using var dir = new TempDirectory();
        var (code, output, error) = await WebProcess.RunAsync(dir.Path,
            "--urls", "http://127.0.0.1:0", $"--Probe:Store=sqlite:{Path.Combine(dir.Path, "m.db")}", "--Probe:Enabled=false",
            "--Packets:Remote:a:Url=ftp://probe-a.example.org", "--Packets:Remote:a:ApiKey=k",
            "--Packets:Remote:b:Url=probe-b:5080",
            "--Packets:Remote:c:ApiKey=k");

        Assert.Equal(2, code);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(4, lines.Length);
        Assert.All(lines, l => Assert.StartsWith("monitor-web: ", l, StringComparison.Ordinal));
        foreach (var key in new[] { "Packets:Remote:a:Url", "Packets:Remote:b:Url", "Packets:Remote:b:ApiKey", "Packets:Remote:c:Url" })
            Assert.Single(lines, l => l.Contains(key + " ", StringComparison.Ordinal));
        Assert.DoesNotContain("Now listening", output);
    }

    private static string Detail(string problem)
    {
        using var json = JsonDocument.Parse(problem);
        return json.RootElement.GetProperty("detail").GetString()!;
    }

    private static int TcpdumpCount(byte[] pcap, string filter)
    {
        var file = Path.Combine(Path.GetTempPath(), $"monitor-remote-{Guid.NewGuid():N}.pcap");
        File.WriteAllBytes(file, pcap);
        try
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
        finally
        {
            File.Delete(file);
        }
    }
}
