using System.Text.Json;
using Monitor.Storage.Model;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Storage.Tests.Model;

public sealed class ReportRowStoredTests
{
    private static readonly double[] Edges =
    [
        0, -0.0, 1, -1, 0.5, 0.00005, 0.00015, -0.00005, 1.23456789, 2.5, 12345.67895, 99.99995,
        999_999_999_999_999, 999_999_999_999_999.4, 1e15, -1e15, 1e15 + 2, 123_456_789_012_345.6, 1e16, 1e20, -1e20,
        9.223372036854775807e18, 1e16, 1.2345678901234568e16, 9.999999999999999e16, 1e17, -9.999999999999999e16, -1e17, 1.0000000000000002e17, 1e-5, 1e-7, 4.9e-324, double.MaxValue, double.MinValue, 1.0 / 3, 2.0 / 3, 100.0 / 7,
    ];

    [Fact]
    public void Stored_gives_every_value_back_as_writing_and_reading_the_row_does()
    {
        var random = new Random(13);
        var values = new List<object> { "text", "", "ünï\u001fcode", true, false, 0, -7, int.MaxValue, 0L, long.MinValue, long.MaxValue };
        values.AddRange(Edges.Cast<object>());
        for (var i = 0; i < 20_000; i++)
        {
            var magnitude = Math.Pow(10, random.Next(-8, 19));
            var value = (random.NextDouble() - 0.5) * magnitude;
            values.Add(value);
            values.Add(Math.Round(value, random.Next(0, 6)));
            values.Add(Math.Floor(value));
        }
        var rows = values.Select((value, i) => new ReportRow([new("ip", $"10.0.0.{i % 256}"), new($"f{i}", value)])).ToList();

        var json = JsonSerializer.SerializeToUtf8Bytes<IReadOnlyList<ReportRow>>(rows, StoreJson.Default.IReadOnlyListReportRow);
        var read = JsonSerializer.Deserialize(json, StoreJson.Default.ListReportRow)!;

        for (var i = 0; i < rows.Count; i++)
        {
            var stored = ReportRowJsonConverter.Stored(rows[i]);
            Assert.Equal(read[i].Fields.Count, stored.Fields.Count);
            for (var f = 0; f < stored.Fields.Count; f++)
            {
                var (expected, actual) = (read[i].Fields[f], stored.Fields[f]);
                Assert.Equal(expected.Name, actual.Name);
                Assert.True(expected.Value.GetType() == actual.Value.GetType() && expected.Value.Equals(actual.Value),
                    $"{rows[i].Fields[f].Value:R} ({rows[i].Fields[f].Value.GetType().Name}): read back {expected.Value:R} ({expected.Value.GetType().Name}), Stored gave {actual.Value:R} ({actual.Value.GetType().Name})");
            }
        }
    }

    [Fact]
    public void Stored_returns_the_row_itself_when_reading_it_back_changes_nothing()
    {
        var row = new ReportRow([new("ip", "10.0.0.1"), new("bytes", 1500L), new("rate", 0.25), new("flag", true)]);

        Assert.Same(row, ReportRowJsonConverter.Stored(row));
    }
}
