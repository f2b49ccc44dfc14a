using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Monitor.Web.Components.Shared;
using Monitor.Web.Common;

namespace Monitor.Web.Tests.Components;

public sealed class RangePickerTests : BunitContext
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private readonly List<TimeRange> _raised = [];

    public RangePickerTests() => Services.AddSingleton<TimeProvider>(new FakeTimeProvider(Now));

    private IRenderedComponent<RangePicker> RenderPicker(DateTimeOffset? from = null, DateTimeOffset? to = null) =>
        Render<RangePicker>(p => p
            .Add(r => r.From, from)
            .Add(r => r.To, to)
            .Add(r => r.OnChange, EventCallback.Factory.Create<TimeRange>(this, _raised.Add)));

    [Fact]
    public void A_typed_range_is_raised_as_utc()
    {
        var cut = RenderPicker();

        cut.Find("input[name='from']").Change("2026-11-20T08:00:00");
        cut.Find("input[name='to']").Change("2026-11-20T09:30:00");
        cut.Find("form").Submit();

        var range = Assert.Single(_raised);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 8, 0, 0, TimeSpan.Zero), range.From);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 9, 30, 0, TimeSpan.Zero), range.To);
    }

    [Fact]
    public void From_after_to_shows_an_error_and_raises_nothing()
    {
        var cut = RenderPicker();

        cut.Find("input[name='from']").Change("2026-11-20T10:00:00");
        cut.Find("input[name='to']").Change("2026-11-20T09:00:00");
        cut.Find("form").Submit();

        Assert.Empty(_raised);
        Assert.Contains("before", cut.Find("[role='alert']").TextContent);
    }

    [Fact]
    public void The_current_range_is_shown_in_the_inputs_as_iso_with_a_24_hour_clock()
    {
        var cut = RenderPicker(Now.AddHours(-2), Now.AddHours(3));

        Assert.Equal("2026-11-23 10:00:00", cut.Find("input[name='from']").GetAttribute("value"));
        Assert.Equal("2026-11-23 15:00:00", cut.Find("input[name='to']").GetAttribute("value"));
        // A text input, not the browser's datetime-local that shows the reader's locale (AM/PM in en-US).
        Assert.Equal("text", cut.Find("input[name='from']").GetAttribute("type"));
    }

    [Fact]
    public void A_time_typed_with_a_space_and_a_24_hour_clock_is_read_as_utc()
    {
        var cut = RenderPicker();

        cut.Find("input[name='from']").Change("2026-11-20 18:00");
        cut.Find("input[name='to']").Change("2026-11-20 23:30:15");
        cut.Find("form").Submit();

        Assert.Equal(new TimeRange(new(2026, 11, 20, 18, 0, 0, TimeSpan.Zero), new(2026, 11, 20, 23, 30, 15, TimeSpan.Zero)), Assert.Single(_raised));
    }

    [Fact]
    public void A_time_that_cannot_be_read_says_so_and_raises_nothing()
    {
        var cut = RenderPicker();

        cut.Find("input[name='from']").Change("20.11.2026 6 pm");
        cut.Find("input[name='to']").Change("2026-11-20 23:30");
        cut.Find("form").Submit();

        Assert.Empty(_raised);
        Assert.Contains("'from'", cut.Find("[role='alert']").TextContent);
    }

    [Fact]
    public void The_week_preset_is_ourmons_eight_days_ending_now()
    {
        var cut = RenderPicker();

        cut.Find("button[data-preset='week']").Click();

        Assert.Equal(new TimeRange(Now.AddDays(-8), Now), Assert.Single(_raised));
    }
}
