import uPlot from 'uplot';
import type { SeriesPoint } from '@clicks/query';
import { chartColumns } from './chart-data';

const COLORS = { clicks: '#1a56b0', invalid: '#b3261e', late: '#6b5200' };

function options(width: number): uPlot.Options {
  return {
    width,
    height: Math.max(220, Math.min(360, Math.round(width * 0.45))),
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] } },
    series: [
      {},
      { label: 'Clicks', stroke: COLORS.clicks, width: 2, fill: 'rgba(26, 86, 176, 0.08)' },
      { label: 'Open bucket (still counting)', stroke: COLORS.clicks, width: 2, dash: [3, 5] },
      { label: 'Invalid (not counted)', stroke: COLORS.invalid, width: 1.5 },
      { label: 'Late (of clicks)', stroke: COLORS.late, width: 1.5, dash: [8, 4] },
    ],
    axes: [{}, { label: 'clicks per bucket', size: 60 }],
    legend: { live: true },
  };
}

/** The clicks chart: created once, fed new answers on every refresh, sized to its container. */
export class ClicksChart {
  private plot: uPlot | undefined;
  private readonly resize = new ResizeObserver(() => this.fit());

  constructor(private readonly container: HTMLElement) {
    this.resize.observe(container);
  }

  show(series: readonly SeriesPoint[]): void {
    const c = chartColumns(series);
    const data: uPlot.AlignedData = [c.x, c.clicks, c.open, c.invalid, c.late];
    if (!this.plot) this.plot = new uPlot(options(this.width()), data, this.container);
    else this.plot.setData(data);
  }

  private width(): number {
    return Math.max(280, this.container.clientWidth);
  }

  private fit(): void {
    if (!this.plot) return;
    const o = options(this.width());
    this.plot.setSize({ width: o.width, height: o.height });
  }
}
