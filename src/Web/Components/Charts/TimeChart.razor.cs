using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using Monitor.Web.Common;

namespace Monitor.Web.Components.Charts;

/// <summary>
/// A datetime chart drawn by ApexCharts: lines or stacked areas, optional min–max bands, highlighted
/// ranges; readable units; a click or a dragged range raises a .NET callback; live mode appends points.
/// </summary>
public sealed partial class TimeChart
{
    public const string ModulePath = "./js/timechart.js";

    private ElementReference _element;
    private IJSObjectReference? _module;
    private DotNetObjectReference<TimeChart>? _self;
    private bool _created;
    private string? _failure;
    private object? _drawnLines, _drawnBands, _drawnAnnotations;
    private (DateTimeOffset?, DateTimeOffset?) _drawnAxis;
    // Live points that arrive while the chart is still being created in the browser: drawn once it exists,
    // so a page opened just as a probe writes does not lose its first seconds.
    private readonly List<(DateTimeOffset Time, IReadOnlyList<double?> Values)> _early = [];
    private const int MaxEarlyPoints = 600;

    /// <summary>A stable name for the chart (used by tests and the page's CSS), e.g. "packets".</summary>
    [Parameter, EditorRequired] public string Name { get; set; } = "";
    [Parameter] public string? Title { get; set; }
    /// <summary>Unit of the y axis: "bits/s" reads as kbit/s, Mbit/s...; others get k/M/G prefixes.</summary>
    [Parameter] public string Unit { get; set; } = "";
    [Parameter] public ChartKind Kind { get; set; } = ChartKind.Line;
    [Parameter] public IReadOnlyList<ChartLine> Lines { get; set; } = [];
    [Parameter] public IReadOnlyList<ChartBand> Bands { get; set; } = [];
    [Parameter] public IReadOnlyList<ChartRangeAnnotation> Annotations { get; set; } = [];
    [Parameter] public int Height { get; set; } = 220;
    [Parameter] public DateTimeOffset? XMin { get; set; }
    [Parameter] public DateTimeOffset? XMax { get; set; }
    /// <summary>When set, the chart shows only this much of the newest data and appends points.</summary>
    [Parameter] public TimeSpan? LiveWindow { get; set; }
    /// <summary>Raised with the time of the point clicked.</summary>
    [Parameter] public EventCallback<DateTimeOffset> OnPointClick { get; set; }
    /// <summary>Raised with the range dragged across the chart (the chart zooms into it).</summary>
    [Parameter] public EventCallback<TimeRange> OnRangeSelect { get; set; }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        try
        {
            if (firstRender)
            {
                _module = await JS.InvokeAsync<IJSObjectReference>("import", ModulePath);
                _self = DotNetObjectReference.Create(this);
                Remember();
                await _module.InvokeVoidAsync("create", _element, Config(), _self);
                _created = true;
                foreach (var (time, values) in _early)
                    await _module.InvokeVoidAsync("append", _element, time.ToUnixTimeMilliseconds(), values);
                _early.Clear();
                return;
            }
            if (_created && _module is not null && Changed())
            {
                Remember();
                await _module.InvokeVoidAsync("update", _element, Config());
            }
        }
        catch (JSException e)
        {
            // One chart that cannot be drawn must not end the page (and every other chart) with it.
            _failure = $"This chart could not be drawn: {e.Message}";
            StateHasChanged();
        }
    }

    /// <summary>Appends one live point: values in the order of <see cref="Lines"/> (null = gap).</summary>
    public async Task AppendAsync(DateTimeOffset time, IReadOnlyList<double?> values)
    {
        if (!_created || _module is null)
        {
            if (_early.Count == MaxEarlyPoints) _early.RemoveAt(0);
            _early.Add((time, values));
            return;
        }
        await _module.InvokeVoidAsync("append", _element, time.ToUnixTimeMilliseconds(), values);
    }

    /// <summary>Replaces the highlighted ranges without redrawing the data.</summary>
    public async Task SetAnnotationsAsync(IReadOnlyList<ChartRangeAnnotation> annotations)
    {
        Annotations = annotations;
        _drawnAnnotations = annotations;
        if (!_created || _module is null) return;
        await _module.InvokeVoidAsync("setAnnotations", _element, annotations.Select(AnnotationConfig).ToArray());
    }

    [JSInvokable]
    public Task OnChartClick(double timeMs) =>
        OnPointClick.InvokeAsync(DateTimeOffset.FromUnixTimeMilliseconds((long)timeMs));

    [JSInvokable]
    public Task OnChartRange(double fromMs, double toMs)
    {
        var from = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Min(fromMs, toMs));
        var to = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Max(fromMs, toMs));
        return OnRangeSelect.InvokeAsync(new TimeRange(from, to));
    }

    private bool Changed() =>
        !ReferenceEquals(_drawnLines, Lines) || !ReferenceEquals(_drawnBands, Bands) ||
        !ReferenceEquals(_drawnAnnotations, Annotations) || _drawnAxis != (XMin, XMax);

    private void Remember()
    {
        _drawnLines = Lines;
        _drawnBands = Bands;
        _drawnAnnotations = Annotations;
        _drawnAxis = (XMin, XMax);
    }

    /// <summary>What the JS side draws; points travel as [ms, value] arrays to keep the payload small.</summary>
    internal object Config() => new
    {
        kind = Kind switch { ChartKind.Area => "area", ChartKind.Stacked => "stacked", _ => "line" },
        unit = Unit,
        height = Height,
        live = LiveWindow is not null,
        liveWindowMs = LiveWindow?.TotalMilliseconds,
        xMin = XMin?.ToUnixTimeMilliseconds(),
        xMax = XMax?.ToUnixTimeMilliseconds(),
        clickable = OnPointClick.HasDelegate,
        selectable = OnRangeSelect.HasDelegate,
        lines = Lines.Select(l => new
        {
            name = l.Name,
            color = l.Color,
            points = l.Points.Select(p => new double?[] { p.Time.ToUnixTimeMilliseconds(), p.Value }).ToArray(),
        }).ToArray(),
        bands = Bands.Select(b => new
        {
            name = b.Name,
            color = b.Color,
            points = b.Points.Select(p => new double[] { p.Time.ToUnixTimeMilliseconds(), p.Low, p.High }).ToArray(),
        }).ToArray(),
        annotations = Annotations.Select(AnnotationConfig).ToArray(),
    };

    private static object AnnotationConfig(ChartRangeAnnotation a) => new
    {
        from = a.From.ToUnixTimeMilliseconds(),
        to = a.To.ToUnixTimeMilliseconds(),
        label = a.Label,
        color = a.Color,
        tooltip = a.Tooltip,
    };

    public async ValueTask DisposeAsync()
    {
        if (_module is not null)
        {
            try
            {
                await _module.InvokeVoidAsync("dispose", _element);
                await _module.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The circuit is gone with the browser tab; there is nothing left to clean up.
            }
        }
        _self?.Dispose();
    }
}
