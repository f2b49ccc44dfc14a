using System.Text.Json;
using Monitor.Probe.Output;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Probe.Tests.Output;

public sealed class SnapshotJsonTests
{
    [Fact]
    public async Task An_interval_is_one_json_line_with_the_contract_names()
    {
        var path = Path.GetTempFileName();
        try
        {
            var snapshot = new IntervalSnapshot
            {
                Probe = "edge",
                Start = new DateTimeOffset(2008, 3, 8, 3, 30, 0, TimeSpan.Zero),
                End = new DateTimeOffset(2008, 3, 8, 3, 30, 30, TimeSpan.Zero),
                Packets = 3,
                Bytes = 180,
                Malformed = 1,
                Protocols = new Dictionary<string, TrafficCount> { ["tcp"] = new(2, 120), ["udp"] = new(1, 60) },
                Metrics = new Dictionary<string, double> { ["packets"] = 0.1 },
                Reports = new Dictionary<string, IReadOnlyList<ReportRow>>
                {
                    ["talkers"] = [new ReportRow([new("ip", "192.0.2.1"), new("packets", 3L), new("bytes", 180L)])],
                },
            };
            await using (var sink = new JsonLinesSink(path))
            {
                sink.WriteInterval(snapshot);
                sink.WriteInterval(snapshot with { Packets = 4 });
            }

            var lines = await File.ReadAllLinesAsync(path);
            Assert.Equal(2, lines.Length);
            var root = JsonDocument.Parse(lines[0]).RootElement;
            Assert.Equal(["probe", "start", "end", "packets", "bytes", "malformed", "protocols", "metrics", "reports"],
                root.EnumerateObject().Select(p => p.Name));
            Assert.Equal("2008-03-08T03:30:00Z", root.GetProperty("start").GetString());
            Assert.Equal("2008-03-08T03:30:30Z", root.GetProperty("end").GetString());
            Assert.Equal(120, root.GetProperty("protocols").GetProperty("tcp").GetProperty("bytes").GetInt64());
            Assert.Equal("192.0.2.1", root.GetProperty("reports").GetProperty("talkers")[0].GetProperty("ip").GetString());
            Assert.Equal(4, JsonDocument.Parse(lines[1]).RootElement.GetProperty("packets").GetInt64());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
