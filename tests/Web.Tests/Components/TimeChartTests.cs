using System.Text.Json;
using Bunit;
using Microsoft.AspNetCore.Components;
using Monitor.Web.Components.Charts;
using Monitor.Web.Common;

namespace Monitor.Web.Tests.Components;

public sealed class TimeChartTests : BunitContext
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
    private readonly BunitJSModuleInterop _module;

    public TimeChartTests()
    {
        _module = JSInterop.SetupModule(TimeChart.ModulePath);
        _module.Mode = JSRuntimeMode.Loose;
    }

    private static JsonElement Config(JSRuntimeInvocation invocation) =>
        JsonSerializer.SerializeToElement(invocation.Arguments[1]);

    private static IReadOnlyList<ChartLine> Line(params double[] values) =>
        [new ChartLine("bits/s", values.Select((v, i) => new ChartPoint(T0.AddSeconds(30 * i), v)).ToList())];

    [Fact]
    public void First_render_creates_one_apexcharts_chart_with_the_points_unit_and_band()
    {
        var band = new ChartBand("min–max", [new ChartBandPoint(T0, 1, 5), new ChartBandPoint(T0.AddSeconds(30), 2, 9)]);
        Render<TimeChart>(p => p
            .Add(c => c.Name, "bits")
            .Add(c => c.Unit, "bits/s")
            .Add(c => c.Lines, Line(3_000_000, 4_500_000))
            .Add(c => c.Bands, [band]));

        var create = Assert.Single(_module.Invocations["create"]);
        var config = Config(create);
        Assert.Equal("bits/s", config.GetProperty("unit").GetString());
        var points = config.GetProperty("lines")[0].GetProperty("points");
        Assert.Equal(2, points.GetArrayLength());
        Assert.Equal(T0.ToUnixTimeMilliseconds(), points[0][0].GetInt64());
        Assert.Equal(4_500_000, points[1][1].GetDouble());
        var bandPoints = config.GetProperty("bands")[0].GetProperty("points");
        Assert.Equal(new[] { 2.0, 9.0 }, new[] { bandPoints[1][1].GetDouble(), bandPoints[1][2].GetDouble() });
    }

    [Fact]
    public async Task Clicking_a_point_raises_the_callback_with_that_points_time()
    {
        DateTimeOffset? clicked = null;
        var cut = Render<TimeChart>(p => p
            .Add(c => c.Name, "packets")
            .Add(c => c.Lines, Line(1, 2, 3))
            .Add(c => c.OnPointClick, EventCallback.Factory.Create<DateTimeOffset>(this, t => clicked = t)));

        Assert.True(Config(_module.Invocations["create"][0]).GetProperty("clickable").GetBoolean());
        await cut.InvokeAsync(() => cut.Instance.OnChartClick(T0.AddSeconds(60).ToUnixTimeMilliseconds()));

        Assert.Equal(T0.AddSeconds(60), clicked);
    }

    [Fact]
    public async Task Dragging_across_the_chart_raises_the_range_in_time_order()
    {
        TimeRange? selected = null;
        var cut = Render<TimeChart>(p => p
            .Add(c => c.Name, "packets")
            .Add(c => c.Lines, Line(1, 2, 3))
            .Add(c => c.OnRangeSelect, EventCallback.Factory.Create<TimeRange>(this, r => selected = r)));

        Assert.True(Config(_module.Invocations["create"][0]).GetProperty("selectable").GetBoolean());
        await cut.InvokeAsync(() => cut.Instance.OnChartRange(
            T0.AddMinutes(5).ToUnixTimeMilliseconds(), T0.ToUnixTimeMilliseconds()));

        Assert.Equal(new TimeRange(T0, T0.AddMinutes(5)), selected);
    }

    [Fact]
    public async Task Live_points_are_appended_to_the_existing_chart_without_a_redraw()
    {
        var cut = Render<TimeChart>(p => p
            .Add(c => c.Name, "packets")
            .Add(c => c.Lines, Line(1, 2))
            .Add(c => c.LiveWindow, TimeSpan.FromMinutes(5)));

        await cut.InvokeAsync(() => cut.Instance.AppendAsync(T0.AddSeconds(61), [42.0]));

        Assert.Single(_module.Invocations["create"]);
        Assert.Empty(_module.Invocations["update"]);
        var append = Assert.Single(_module.Invocations["append"]);
        Assert.Equal(T0.AddSeconds(61).ToUnixTimeMilliseconds(), append.Arguments[1]);
        Assert.Equal(42.0, Assert.Single((IReadOnlyList<double?>)append.Arguments[2]!));
        var config = Config(_module.Invocations["create"][0]);
        Assert.True(config.GetProperty("live").GetBoolean());
        Assert.Equal(300_000, config.GetProperty("liveWindowMs").GetDouble());
    }

    [Fact]
    public async Task Live_points_that_arrive_while_the_browser_still_creates_the_chart_are_drawn_once_it_exists()
    {
        var create = _module.SetupVoid("create", _ => true);
        var cut = Render<TimeChart>(p => p
            .Add(c => c.Name, "packets")
            .Add(c => c.Lines, Line(1))
            .Add(c => c.LiveWindow, TimeSpan.FromMinutes(5)));

        await cut.InvokeAsync(() => cut.Instance.AppendAsync(T0.AddSeconds(1), [7.0]));
        await cut.InvokeAsync(() => cut.Instance.AppendAsync(T0.AddSeconds(2), [8.0]));
        Assert.Empty(_module.Invocations["append"]);
        await cut.InvokeAsync(create.SetVoidResult);

        cut.WaitForAssertion(() => Assert.Equal(
            [T0.AddSeconds(1).ToUnixTimeMilliseconds(), T0.AddSeconds(2).ToUnixTimeMilliseconds()],
            _module.Invocations["append"].Select(a => (long)a.Arguments[1]!)));
    }

    [Fact]
    public void Highlighted_ranges_carry_their_colour_label_and_tooltip()
    {
        var spike = new ChartRangeAnnotation(T0, T0.AddMinutes(2), "new spike", "#dc2626", "UDP flood: 9× the usual");
        Render<TimeChart>(p => p
            .Add(c => c.Name, "udp")
            .Add(c => c.Lines, Line(1, 2))
            .Add(c => c.Annotations, [spike]));

        var annotation = Config(_module.Invocations["create"][0]).GetProperty("annotations")[0];
        Assert.Equal(T0.ToUnixTimeMilliseconds(), annotation.GetProperty("from").GetInt64());
        Assert.Equal(T0.AddMinutes(2).ToUnixTimeMilliseconds(), annotation.GetProperty("to").GetInt64());
        Assert.Equal("#dc2626", annotation.GetProperty("color").GetString());
        Assert.Equal("new spike", annotation.GetProperty("label").GetString());
        Assert.Equal("UDP flood: 9× the usual", annotation.GetProperty("tooltip").GetString());
    }

    [Fact]
    public void New_data_updates_the_same_chart_instead_of_creating_another()
    {
        var cut = Render<TimeChart>(p => p.Add(c => c.Name, "packets").Add(c => c.Lines, Line(1, 2)));

        cut.Render(p => p.Add(c => c.Lines, Line(5, 6, 7)));

        Assert.Single(_module.Invocations["create"]);
        var update = Assert.Single(_module.Invocations["update"]);
        Assert.Equal(3, Config(update).GetProperty("lines")[0].GetProperty("points").GetArrayLength());
    }

    [Fact]
    public void Stacked_charts_tell_apexcharts_to_stack()
    {
        Render<TimeChart>(p => p.Add(c => c.Name, "protocols").Add(c => c.Kind, ChartKind.Stacked).Add(c => c.Lines, Line(1)));

        Assert.Equal("stacked", Config(_module.Invocations["create"][0]).GetProperty("kind").GetString());
    }
}
