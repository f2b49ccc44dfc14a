using Monitor.Storage.Model.Queries;
using Monitor.Web.Features.Series;

namespace Monitor.Web.Tests.Features.Series;

public sealed class DownsamplerTests
{
    [Fact]
    public void A_long_series_is_folded_to_at_most_the_limit_keeping_min_and_max()
    {
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var buckets = Enumerable.Range(0, 10_001)
            .Select(i => new SeriesBucket(t0.AddSeconds(i), i, i, i == 5_000 ? 1e9 : i))
            .ToList();

        var folded = Downsampler.Fold(buckets, 2000);

        Assert.True(folded.Count <= 2000);
        Assert.Equal(0, folded[0].Min);
        Assert.Equal(1e9, folded.Max(b => b.Max));
        Assert.Equal(t0, folded[0].Time);
    }
}
