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
  type Plugin,
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
