using Microsoft.Extensions.DependencyInjection;
using Monitor.Web.Features.Anomalies;

namespace Monitor.Web.Tests.Features.Anomalies;

public sealed class DayViewServiceTests(HistorySite site) : IClassFixture<HistorySite>
{
    [Fact]
    public async Task A_caller_that_gives_up_does_not_cancel_the_day_another_caller_awaits()
    {
        var days = site.Factory.Services.GetRequiredService<DayViewService>();
        var day = site.Plan.DayOf(site.Plan.Flood);
        using var impatient = new CancellationTokenSource();

        var aborted = days.GetAsync(day, "history", impatient.Token);
        var waiting = days.GetAsync(day, "history");
        await impatient.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => aborted);
        var view = await waiting;
        Assert.Equal("history", view.Probe);
        Assert.NotEmpty(view.Spikes);
        Assert.Same(view.Spikes, view.Spikes);
    }
}
