using System.Globalization;
using AngleSharp.Html.Parser;
using Monitor.Web.Tests.Support;

namespace Monitor.Web.Tests.Components;

/// <summary>
/// The reports page's "% of total" through the real host over a real SQLite file: a row's share is of all the
/// traffic of the window shown (its stored intervals' bytes), not of the top-N rows, which leave out the rest.
/// </summary>
public sealed class ReportsPageTotalTests : IClassFixture<ReportsPageTotalTests.StoredHour>
{
    private static readonly DateTimeOffset Hour = new(2024, 3, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(1);

    public sealed class StoredHour : IAsyncLifetime
    {
        public MonitorSite Site { get; } = new();

        /// <summary>Bytes of every interval of the hour, and of its first interval alone.</summary>
        public long HourBytes { get; private set; }
        public long FirstIntervalBytes { get; private set; }

        public async Task InitializeAsync()
        {
            // An hour before and after too, so the sum must keep to the window.
            await History.WriteAsync(Site.Store, Hour.AddHours(-1), Hour.AddHours(2), Step);
            for (var t = Hour; t < Hour.AddHours(1); t += Step) HourBytes += History.Interval(t, Step).Bytes;
            FirstIntervalBytes = History.Interval(Hour, Step).Bytes;
        }

        public Task DisposeAsync()
        {
            Site.Dispose();
            return Task.CompletedTask;
        }
    }

    private readonly StoredHour _stored;

    public ReportsPageTotalTests(StoredHour stored) => _stored = stored;

    /// <summary>Each talker's bytes (raw) and its "% of total" (raw, percent) as the page renders them.</summary>
    private async Task<IReadOnlyList<(string Ip, double Bytes, double Percent)>> SharesAsync(string url)
    {
        var html = await _stored.Site.CreateClient().GetStringAsync(url);
        var document = new HtmlParser().ParseDocument(html);
        Assert.NotNull(document.QuerySelector("table[data-report='talkers'] th[data-column='percent_of_total']"));
        return document.QuerySelectorAll("table[data-report='talkers'] tbody tr").Select(tr => (
            tr.QuerySelector("td[data-column='ip']")!.GetAttribute("data-value")!,
            double.Parse(tr.QuerySelector("td[data-column='bytes']")!.GetAttribute("data-value")!, CultureInfo.InvariantCulture),
            double.Parse(tr.QuerySelector("td[data-column='percent_of_total']")!.GetAttribute("data-value")!, CultureInfo.InvariantCulture)))
            .ToList();
    }

    [Fact]
    public async Task An_hours_talkers_show_each_rows_bytes_as_a_share_of_all_the_bytes_of_that_hour()
    {
        var shares = await SharesAsync("/reports/talkers?at=2024-03-01T10:20:00Z&span=hour");

        Assert.Equal(3, shares.Count);
        Assert.Equal(History.TopTalker, shares[0].Ip);
        foreach (var (ip, bytes, percent) in shares)
            Assert.True(Math.Abs(bytes * 100 / _stored.HourBytes - percent) < 0.0001, $"{ip}: {percent} % of {_stored.HourBytes} bytes");
        // The top talker has half of every interval's bytes: 50 % of the hour, not 4/7 of the three rows' sum.
        Assert.Equal(50, shares[0].Percent, 2);
    }

    [Fact]
    public async Task One_intervals_talkers_and_a_custom_ranges_show_shares_of_that_window()
    {
        var interval = await SharesAsync("/reports/talkers?at=2024-03-01T10:00:10Z");
        Assert.All(interval, s => Assert.True(Math.Abs(s.Bytes * 100 / _stored.FirstIntervalBytes - s.Percent) < 0.0001, $"{s.Ip}: {s.Percent} %"));

        var range = await SharesAsync("/reports/talkers?from=2024-03-01T10:00:00Z&to=2024-03-01T10:59:00Z");
        Assert.All(range, s => Assert.True(Math.Abs(s.Bytes * 100 / _stored.HourBytes - s.Percent) < 0.0001, $"{s.Ip}: {s.Percent} %"));
    }
}
