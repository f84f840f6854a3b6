import {
  Chart,
  Decimation,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
  type ChartDataset,
  type ChartOptions,
  type Plugin,
  type TooltipItem,
} from 'chart.js';

/**
 * chart.js set up once for the studio: only the parts the charts use (tree
 * shaken), and colours read from the page's theme variables so charts match the
 * rest of the UI in light and dark.
 */
Chart.register(LineController, ScatterController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip, Legend, Filler, Decimation);

export { Chart };

/**
 * The computed colour of a CSS variable. Custom properties built with
 * light-dark() are only resolved when used, so a probe element applies the
 * variable and we read the colour back.
 */
export function cssColor(variable: string, fallback = '#888'): string {
  const probe = document.createElement('span');
  probe.style.color = `var(${variable}, ${fallback})`;
  probe.style.display = 'none';
  document.body.append(probe);
  const c = getComputedStyle(probe).color;
  probe.remove();
  return c || fallback;
}

/** The same colour at `alpha` opacity ("rgb(1, 2, 3)" -> "rgba(1, 2, 3, a)"). */
export function withAlpha(color: string, alpha: number): string {
  const m = /rgba?\(\s*([\d.]+)[ ,]+([\d.]+)[ ,]+([\d.]+)/.exec(color);
  return m ? `rgba(${m[1]}, ${m[2]}, ${m[3]}, ${alpha})` : color;
}

export interface ChartColors {
  text: string;
  muted: string;
  grid: string;
  background: string;
  accent: string;
  second: string;
  third: string;
}

export function chartColors(): ChartColors {
  return {
    text: cssColor('--text'),
    muted: cssColor('--muted'),
    grid: withAlpha(cssColor('--border'), 0.9),
    background: cssColor('--panel-bg', '#fff'),
    accent: cssColor('--color-accent'),
    second: cssColor('--color-backward'),
    third: cssColor('--color-ok'),
  };
}

/** Paints the chart's background so an exported PNG is not transparent. */
export const backgroundPlugin: Plugin = {
  id: 'studioBackground',
  beforeDraw(chart, _args, options: { color?: string }) {
    if (!options.color) return;
    const { ctx } = chart;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = options.color;
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

/** The chart as PNG bytes. */
export function chartPng(chart: Chart): Promise<Blob> {
  return new Promise((resolve, reject) => {
    chart.canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the chart could not be drawn to PNG'))), 'image/png');
  });
}

/** What differs between the studio's line charts: their axes, tooltip words and padding. */
export interface LineChartSpec {
  x: NonNullable<ChartOptions<'line'>['scales']>['x'];
  y: NonNullable<ChartOptions<'line'>['scales']>['y'];
  /** Tooltip title from the hovered x ("epoch 3"). */
  title: (x: number) => string;
  /** The hovered value as text. */
  value: (y: number) => string;
  layout?: ChartOptions<'line'>['layout'];
  decimation?: boolean;
}

/**
 * Options every studio line chart shares: no animation, pre-parsed {x, y}
 * points, nearest-x hover, the legend top right, tooltips that read
 * "<series>: <value>". Colours come later from applyChartTheme.
 */
export function lineChartOptions(spec: LineChartSpec): ChartOptions<'line'> {
  return {
    animation: false,
    parsing: false,
    normalized: true,
    responsive: true,
    maintainAspectRatio: false,
    spanGaps: false,
    ...(spec.layout ? { layout: spec.layout } : {}),
    interaction: { mode: 'nearest', axis: 'x', intersect: false },
    scales: { x: { grid: {}, ticks: {}, ...spec.x }, y: { grid: {}, ticks: {}, ...spec.y } } as ChartOptions<'line'>['scales'],
    plugins: {
      legend: { position: 'top', align: 'end', labels: { boxWidth: 14, boxHeight: 2, usePointStyle: false } },
      tooltip: {
        callbacks: {
          title: (items: TooltipItem<'line'>[]) => spec.title(items[0]?.parsed.x ?? 0),
          label: (item: TooltipItem<'line'>) => `${item.dataset.label}: ${item.parsed.y === null ? '–' : spec.value(item.parsed.y)}`,
        },
      },
      ...(spec.decimation ? { decimation: { enabled: true, algorithm: 'min-max' as const } } : {}),
    },
  };
}

/** A point of a studio line chart; null is a gap. */
export type LinePoint = { x: number; y: number | null };

/** A studio line chart on `canvas`: its datasets, the shared options from lineChartOptions(spec) and the PNG background. */
export function createLineChart(canvas: HTMLCanvasElement, datasets: ChartDataset<'line', LinePoint[]>[], spec: LineChartSpec): Chart<'line', LinePoint[]> {
  return new Chart<'line', LinePoint[]>(canvas, { type: 'line', data: { datasets }, options: lineChartOptions(spec), plugins: [backgroundPlugin] });
}

/**
 * The theme's colours to a chart: axes, grid, legend and the exported PNG's
 * background; `series` colours the chart's own datasets. A full update follows
 * (not 'none': Chart.js caches resolved element options per mode).
 */
export function applyChartTheme<C extends Chart<'line', { x: number; y: number | null }[]>>(chart: C, series: (datasets: C['data']['datasets'], c: ChartColors) => void): void {
  const c = chartColors();
  series(chart.data.datasets, c);
  themeChartFrame(chart.options, c);
  chart.update();
}

/** The theme's colours on what every chart has around its data: x and y axes with titles, grid, legend, PNG background. */
export function themeChartFrame(o: { scales?: unknown; plugins?: unknown }, c: ChartColors): void {
  const scales = o.scales as Record<'x' | 'y', { grid: { color: unknown }; ticks: { color: unknown }; title: { color: string } }>;
  for (const axis of ['x', 'y'] as const) {
    const s = scales[axis];
    s.grid.color = c.grid;
    s.ticks.color = c.muted;
    s.title.color = c.muted;
  }
  const plugins = o.plugins as { legend: { labels: { color: unknown } }; studioBackground?: unknown };
  plugins.legend.labels.color = c.text;
  plugins.studioBackground = { color: c.background };
}

/**
 * Repaint a live chart at most every `ms`, on an animation frame. Progress arrives many
 * times a second and a chart.js update of a few thousand points takes 10-30 ms: done on
 * every frame it leaves no time to draw the rest of the page (the Training tab fell to
 * 14 frames a second); every 200 ms the curve still moves smoothly. `cancel` on teardown.
 */
export function throttledPainter(paint: () => void, ms: number): { request(): void; cancel(): void } {
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let frame = 0;
  return {
    request() {
      if (timer || frame) return;
      timer = setTimeout(() => {
        timer = null;
        frame = requestAnimationFrame(() => {
          frame = 0;
          last = performance.now();
          paint();
        });
      }, Math.max(0, last + ms - performance.now()));
    },
    cancel() {
      if (timer) clearTimeout(timer);
      cancelAnimationFrame(frame);
      timer = null;
      frame = 0;
    },
  };
}

/** How often the live charts repaint while a run goes on (see throttledPainter). */
export const LIVE_CHART_MS = 200;
