using Monitor.Storage.Spool;

namespace Monitor.Storage.Tests.Spool;

public sealed class SpoolOptionsTests
{
    [Fact]
    public void A_copy_for_another_folder_keeps_every_other_setting()
    {
        var configured = new SpoolOptions
        {
            Directory = "custom",
            MaxBytes = 123_456,
            RetryMin = TimeSpan.FromSeconds(2),
            RetryMax = TimeSpan.FromSeconds(9),
            FlushTimeout = TimeSpan.FromSeconds(3),
            SecondsBatch = 7,
            IntervalsBatch = 11,
            ReplayBatch = 13,
            Fsync = false,
        };

        var copy = configured.WithDirectory("elsewhere");

        Assert.Equal("elsewhere", copy.Directory);
        Assert.Equal("custom", configured.Directory);
        // Every property, so one added later cannot be dropped on the way (as IntervalsBatch once was).
        foreach (var property in typeof(SpoolOptions).GetProperties().Where(p => p.Name != nameof(SpoolOptions.Directory)))
            Assert.Equal(property.GetValue(configured), property.GetValue(copy));
        Assert.All(typeof(SpoolOptions).GetProperties().Where(p => p.Name != nameof(SpoolOptions.Directory)),
            p => Assert.NotEqual(p.GetValue(new SpoolOptions()), p.GetValue(configured)));
    }

    [Fact]
    public void Every_bad_setting_is_listed_with_its_key()
    {
        var problems = new SpoolOptions { MaxBytes = 1, SecondsBatch = 0, IntervalsBatch = 0 }.Problems();

        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("Spool:MaxBytes", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Spool:SecondsBatch", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Spool:IntervalsBatch", StringComparison.Ordinal));
    }
}
