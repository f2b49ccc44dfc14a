// Blazor interop for the TimeChart component over ApexCharts (loaded globally from lib/apexcharts).
// One state object per chart element: the ApexCharts instance, the data we drew (so live points can be
// appended and old ones dropped without a full redraw) and the .NET object that receives clicks/ranges.

const states = new WeakMap();

// Browser-side timings read by the tests and the README figures: when the first chart of the page was drawn.
const timings = (window.monitorCharts = window.monitorCharts || { firstDrawnMs: null, drawn: 0 });

const siPrefixes = ['', 'k', 'M', 'G', 'T', 'P'];

export function formatValue(value, unit) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  let v = Number(value);
  let i = 0;
  while (Math.abs(v) >= 1000 && i < siPrefixes.length - 1) {
    v /= 1000;
    i++;
  }
  const digits = Math.abs(v) >= 100 || (i === 0 && Number.isInteger(v)) ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  const number = v.toFixed(digits);
  const prefix = siPrefixes[i];
  if (unit === 'bits/s') return `${number} ${prefix}bit/s`;
  if (!unit) return `${number}${prefix}`;
  return prefix ? `${number} ${prefix} ${unit}` : `${number} ${unit}`;
}

function seriesOf(state) {
  const cfg = state.cfg;
  const withBands = cfg.bands.length > 0;
  const lineType = withBands ? 'line' : cfg.kind === 'line' ? 'line' : 'area';
  const series = [];
  for (const band of cfg.bands) {
    series.push({ name: band.name, type: 'rangeArea', data: band.points.map(p => ({ x: p[0], y: [p[1], p[2]] })) });
  }
  for (const line of state.lines) {
    // A range-area combo only understands {x, y} points; plain charts take the compact [x, y] pairs.
    series.push(withBands
      ? { name: line.name, type: lineType, data: line.points.map(p => ({ x: p[0], y: p[1] })) }
      : { name: line.name, data: line.points });
  }
  return series;
}

function annotationsOf(state) {
  return {
    xaxis: state.cfg.annotations.map(a => ({
      x: a.from,
      x2: a.to,
      fillColor: a.color,
      borderColor: a.color,
      opacity: 0.25,
      label: {
        text: a.label,
        borderColor: a.color,
        orientation: 'horizontal',
        style: { background: a.color, color: '#fff', fontSize: '11px' },
      },
      mouseEnter: (_, event) => showTip(state, a.tooltip || a.label, event),
      mouseLeave: () => hideTip(state),
    })),
  };
}

function showTip(state, text, event) {
  if (!text) return;
  let tip = state.tip;
  if (!tip) {
    tip = state.tip = document.createElement('div');
    tip.className = 'chart-annotation-tip';
    state.element.appendChild(tip);
  }
  tip.textContent = text;
  const box = state.element.getBoundingClientRect();
  tip.style.left = `${(event?.clientX ?? box.left) - box.left + 8}px`;
  tip.style.top = `${(event?.clientY ?? box.top) - box.top + 8}px`;
  tip.style.display = 'block';
}

function hideTip(state) {
  if (state.tip) state.tip.style.display = 'none';
}

function pointCount(state) {
  return state.lines.reduce((n, l) => n + l.points.length, 0) + state.cfg.bands.reduce((n, b) => n + b.points.length, 0);
}

function markDrawn(state) {
  const count = pointCount(state);
  state.element.dataset.points = String(count);
  if (count > 0 && !state.element.dataset.drawnMs) {
    const now = performance.now();
    state.element.dataset.drawnMs = now.toFixed(0);
    if (timings.firstDrawnMs === null) timings.firstDrawnMs = now;
    timings.drawn++;
  }
}

// How near the cursor (in pixels either side) a click looks for the point it means.
const snapPixels = 12;

// The time under the mouse: x position inside the plot area mapped onto the axis, snapped to the highest
// drawn point of any line within a few pixels of it, so a short burst on a day-long chart is hit the first
// time; with no point that near, the nearest point of the first line.
function timeAt(state, event) {
  const plot = state.element.querySelector('.apexcharts-grid') || state.element.querySelector('.apexcharts-inner');
  const g = state.chart?.w?.globals;
  if (!plot || !g) return null;
  const rect = plot.getBoundingClientRect();
  if (rect.width <= 0 || event.clientX < rect.left - 2 || event.clientX > rect.right + 2) return null;
  const fraction = Math.min(1, Math.max(0, (event.clientX - rect.left) / rect.width));
  const t = g.minX + fraction * (g.maxX - g.minX);
  const near = (snapPixels / rect.width) * (g.maxX - g.minX);
  return highestNear(state.lines, t, near);
}

function firstAtOrAfter(points, t) {
  let lo = 0, hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid][0] < t) lo = mid + 1; else hi = mid;
  }
  return lo;
}

export function highestNear(lines, t, near) {
  let best = null;
  for (const line of lines) {
    const points = line.points;
    for (let i = firstAtOrAfter(points, t - near); i < points.length && points[i][0] <= t + near; i++) {
      const v = points[i][1];
      if (v === null || v === undefined) continue;
      if (best === null || v > best.value || (v === best.value && Math.abs(points[i][0] - t) < Math.abs(best.time - t)))
        best = { time: points[i][0], value: v };
    }
  }
  if (best !== null) return best.time;
  const points = lines.find(l => l.points.length > 0)?.points;
  if (!points) return t;
  let lo = Math.min(firstAtOrAfter(points, t), points.length - 1);
  if (lo > 0 && Math.abs(points[lo - 1][0] - t) < Math.abs(points[lo][0] - t)) lo--;
  return points[lo][0];
}

function buildOptions(state) {
  const cfg = state.cfg;
  const withBands = cfg.bands.length > 0;
  const strokeWidths = [...cfg.bands.map(() => 0), ...state.lines.map(() => 2)];
  const fillOpacity = [...cfg.bands.map(() => 0.22), ...state.lines.map(() => (withBands || cfg.kind === 'line' ? 1 : 0.35))];
  const colors = [...cfg.bands.map(b => b.color || '#94a3b8'), ...state.lines.map((l, i) => l.color || palette[i % palette.length])];
  return {
    chart: {
      type: withBands ? 'rangeArea' : cfg.kind === 'line' ? 'line' : 'area',
      stacked: cfg.kind === 'stacked',
      height: cfg.height,
      animations: { enabled: !cfg.live, speed: 300, dynamicAnimation: { enabled: false } },
      zoom: { enabled: cfg.selectable, type: 'x', autoScaleYaxis: true },
      selection: { enabled: cfg.selectable },
      toolbar: { show: cfg.selectable, autoSelected: 'zoom', tools: { download: false, pan: false } },
      events: {
        mounted: () => markDrawn(state),
        updated: () => markDrawn(state),
        click: (event) => {
          if (!cfg.clickable || state.dragged) return;
          const t = timeAt(state, event);
          if (t !== null) state.dotnet.invokeMethodAsync('OnChartClick', t);
        },
        zoomed: (_, { xaxis }) => {
          if (!cfg.selectable || xaxis?.min === undefined || xaxis?.max === undefined) return;
          state.dotnet.invokeMethodAsync('OnChartRange', xaxis.min, xaxis.max);
        },
      },
    },
    series: seriesOf(state),
    colors,
    stroke: { width: strokeWidths, curve: 'straight' },
    fill: { type: 'solid', opacity: fillOpacity },
    dataLabels: { enabled: false },
    markers: { size: 0, hover: { size: 4 } },
    legend: { show: state.lines.length + cfg.bands.length > 1, position: 'top', horizontalAlign: 'left' },
    xaxis: {
      type: 'datetime',
      min: cfg.xMin ?? undefined,
      max: cfg.xMax ?? undefined,
      range: cfg.live ? cfg.liveWindowMs : undefined,
      // ISO dates and 24-hour times on the ticks, in UTC like every time on the site.
      labels: {
        datetimeUTC: true,
        datetimeFormatter: { year: 'yyyy', month: 'yyyy-MM', day: 'yyyy-MM-dd', hour: 'MM-dd HH:mm', minute: 'HH:mm:ss', second: 'HH:mm:ss' },
      },
    },
    yaxis: { min: 0, forceNiceScale: true, labels: { formatter: v => formatValue(v, cfg.unit) } },
    tooltip: {
      shared: true,
      x: { format: 'yyyy-MM-dd HH:mm:ss' },
      y: { formatter: v => formatValue(v, cfg.unit) },
    },
    annotations: annotationsOf(state),
    noData: { text: 'No data in this range' },
  };
}

const palette = ['#2563eb', '#16a34a', '#dc2626', '#9333ea', '#ea580c', '#0891b2', '#ca8a04'];

function trackDrag(state) {
  const el = state.element;
  el.addEventListener('mousedown', e => {
    state.downX = e.clientX;
    state.dragged = false;
  });
  el.addEventListener('mousemove', e => {
    if (e.buttons === 1 && state.downX !== undefined && Math.abs(e.clientX - state.downX) > 4) state.dragged = true;
  });
}

export function create(element, cfg, dotnet) {
  const state = { element, cfg, dotnet, lines: cfg.lines.map(l => ({ name: l.name, color: l.color, points: l.points })) };
  states.set(element, state);
  trackDrag(state);
  state.chart = new ApexCharts(element, buildOptions(state));
  return state.chart.render();
}

// New data for the same chart (another range, another metric): redraw once with the new series.
export function update(element, cfg) {
  const state = states.get(element);
  if (!state) return Promise.resolve();
  state.cfg = cfg;
  state.lines = cfg.lines.map(l => ({ name: l.name, color: l.color, points: l.points }));
  delete element.dataset.drawnMs;
  return state.chart.updateOptions(buildOptions(state), true, false);
}

// Live mode: append one point per line, forget points older than the window, and update the series
// without animation or a full redraw.
export function append(element, time, values) {
  const state = states.get(element);
  if (!state) return;
  const oldest = time - (state.cfg.liveWindowMs || 600000);
  state.lines.forEach((line, i) => {
    const v = values[i];
    line.points.push([time, v === null || v === undefined ? null : v]);
    let drop = 0;
    while (drop < line.points.length && line.points[drop][0] < oldest) drop++;
    if (drop > 0) line.points.splice(0, drop);
  });
  state.chart.updateSeries(seriesOf(state), false);
}

export function setAnnotations(element, annotations) {
  const state = states.get(element);
  if (!state) return;
  state.cfg.annotations = annotations;
  state.chart.updateOptions({ annotations: annotationsOf(state) }, false, false);
}

export function dispose(element) {
  const state = states.get(element);
  if (!state) return;
  states.delete(element);
  state.chart.destroy();
}
