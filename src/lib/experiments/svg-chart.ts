// A line chart as a standalone SVG string: axes with ticks and tick labels, axis titles (with
// units), a legend, one line per series with a marker per point and error bars (y ± err), and
// horizontal reference lines (dashed, with a shaded ± err band) for baselines. Generic over what x
// and y are: accuracy vs privacy budget now, accuracy vs attack success later. d3-scale does the
// scales and ticks (pure functions, no DOM); everything else is string building, so it runs the
// same in Node and in the browser. Browser-safe.

import { format, scaleLinear, scaleLog, schemeTableau10 } from 'd3';

export interface ChartPoint {
  x: number;
  y: number;
  /** half-length of the error bar (e.g. one standard deviation); none when null/undefined */
  err?: number | null;
  /** half-length of a horizontal error bar (when x is itself a mean, e.g. attack success) */
  xErr?: number | null;
  /** a short label drawn next to the marker (e.g. the budget, "η=80") */
  note?: string;
}

export interface ChartSeries {
  label: string;
  points: ChartPoint[];
  color?: string;
  /** SVG stroke-dasharray of the line (e.g. "6 4" for a baseline drawn as a series) */
  dash?: string;
}

export interface ChartBaseline {
  label: string;
  y: number;
  err?: number | null;
  color?: string;
  /** dashed (default) or dotted */
  style?: 'dashed' | 'dotted';
}

export interface LineChartSpec {
  title?: string;
  /** one line of small print under the title (e.g. what the error bars are) */
  subtitle?: string;
  /** axis titles, units included: "budget η (d_χ)", "accuracy (%)" */
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  baselines?: ChartBaseline[];
  /** 'auto' (default): log when every x is > 0 and the largest is more than 10× the smallest */
  xScale?: 'linear' | 'log' | 'auto';
  /** tick positions on x (e.g. exactly the budgets run); default: the scale's own ticks */
  xTicks?: number[];
  /** fixed y range; default: the data (with error bars and baselines), rounded outwards */
  yDomain?: [number, number];
  /** keep the automatic y range within these bounds (e.g. [0, 100] for a percentage) */
  yClamp?: [number, number];
  width?: number;
  height?: number;
}

/** Escape text for XML character data and attribute values. */
export function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const r2 = (v: number) => String(Math.round(v * 100) / 100);
const numFormat = format('~g');

/** Whether the x axis of these values should be logarithmic under 'auto'. */
export function wantsLogScale(xs: readonly number[]): boolean {
  if (xs.length === 0 || xs.some((x) => !(x > 0))) return false;
  return Math.max(...xs) / Math.min(...xs) > 10;
}

export function lineChartSvg(spec: LineChartSpec): string {
  const W = spec.width ?? 720;
  const plotH = (spec.height ?? 420) - 130;
  const baselines = spec.baselines ?? [];
  const series = spec.series.map((s) => ({ ...s, points: s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).sort((a, b) => a.x - b.x) }));
  const legend = [
    ...series.map((s, i) => ({ label: s.label, color: s.color ?? schemeTableau10[i % 10], dash: (s.dash ?? null) as string | null, marker: true })),
    ...baselines.map((b, j) => ({
      label: b.label,
      color: b.color ?? schemeTableau10[(series.length + j) % 10],
      dash: b.style === 'dotted' ? '2 3' : '6 4',
      marker: false
    }))
  ];
  const M = { top: (spec.title ? 40 : 16) + (spec.subtitle ? 16 : 0), right: 24, bottom: 56, left: 72 };
  const legendTop = M.top + plotH + M.bottom;
  const H = legendTop + legend.length * 20 + 12;
  const x0 = M.left,
    x1 = W - M.right,
    y0 = M.top + plotH,
    y1 = M.top;

  // x scale (horizontal error bars included)
  const xe = (p: ChartPoint) => (p.xErr != null && Number.isFinite(p.xErr) ? Math.abs(p.xErr) : 0);
  const xs = series.flatMap((s) => s.points.flatMap((p) => (xe(p) > 0 ? [p.x - xe(p), p.x, p.x + xe(p)] : [p.x])));
  const useLog = spec.xScale === 'log' || ((spec.xScale ?? 'auto') === 'auto' && wantsLogScale(xs));
  let xScale: ((v: number) => number) & { ticks: (n?: number) => number[]; tickFormat: (n?: number, f?: string) => (v: number) => string };
  if (useLog) {
    const pos = xs.filter((x) => x > 0);
    const lo = pos.length ? Math.min(...pos) : 1,
      hi = pos.length ? Math.max(...pos) : 10;
    xScale = scaleLog().domain(lo === hi ? [lo / 2, hi * 2] : [lo / 1.25, hi * 1.25]).range([x0, x1]);
  } else {
    const lo = xs.length ? Math.min(...xs) : 0,
      hi = xs.length ? Math.max(...xs) : 1;
    const pad = lo === hi ? Math.max(1, Math.abs(lo) * 0.5) : (hi - lo) * 0.06;
    xScale = scaleLinear().domain([lo - pad, hi + pad]).range([x0, x1]);
  }

  // y scale
  let yDom: [number, number];
  if (spec.yDomain) yDom = spec.yDomain;
  else {
    const ys: number[] = [];
    for (const s of series)
      for (const p of s.points) {
        const e = p.err != null && Number.isFinite(p.err) ? Math.abs(p.err) : 0;
        ys.push(p.y - e, p.y + e);
      }
    for (const b of baselines)
      if (Number.isFinite(b.y)) {
        const e = b.err != null && Number.isFinite(b.err) ? Math.abs(b.err) : 0;
        ys.push(b.y - e, b.y + e);
      }
    let lo = ys.length ? Math.min(...ys) : 0,
      hi = ys.length ? Math.max(...ys) : 1;
    if (lo === hi) {
      const d = Math.abs(lo) * 0.1 || 1;
      lo -= d;
      hi += d;
    } else {
      // a little room so nothing sits on the axis line
      const d = (hi - lo) * 0.03;
      lo -= d;
      hi += d;
    }
    const nice = scaleLinear().domain([lo, hi]).nice(6).domain() as [number, number];
    yDom = spec.yClamp ? [Math.max(nice[0], spec.yClamp[0]), Math.min(nice[1], spec.yClamp[1])] : nice;
    if (!(yDom[1] > yDom[0])) yDom = nice;
  }
  const yScale = scaleLinear().domain(yDom).range([y0, y1]);
  const X = (v: number) => r2(xScale(v));
  const Y = (v: number) => r2(yScale(v));

  const o: string[] = [];
  const label = spec.title ?? `${spec.yLabel} vs ${spec.xLabel}`;
  o.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12" role="img" aria-label="${xmlEscape(label)}">`,
    `<title>${xmlEscape(label)}</title>`,
    `<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`
  );
  if (spec.title) o.push(`<text class="title" x="${W / 2}" y="24" text-anchor="middle" font-size="15" font-weight="600">${xmlEscape(spec.title)}</text>`);
  if (spec.subtitle)
    o.push(`<text class="subtitle" x="${W / 2}" y="${spec.title ? 42 : 18}" text-anchor="middle" font-size="11" fill="#555">${xmlEscape(spec.subtitle)}</text>`);

  // y axis: grid lines, ticks, labels, title
  o.push('<g class="axis y-axis">');
  const yTicks = yScale.ticks(6);
  const yFmt = yScale.tickFormat(6);
  for (const t of yTicks) {
    o.push(`<line x1="${x0}" x2="${x1}" y1="${Y(t)}" y2="${Y(t)}" stroke="#e5e5e5"/>`);
    o.push(`<line x1="${x0 - 5}" x2="${x0}" y1="${Y(t)}" y2="${Y(t)}" stroke="#333"/>`);
    o.push(`<text x="${x0 - 8}" y="${Y(t)}" dy="0.32em" text-anchor="end">${xmlEscape(yFmt(t))}</text>`);
  }
  o.push(`<line x1="${x0}" x2="${x0}" y1="${y0}" y2="${y1}" stroke="#333"/>`);
  o.push(`<text class="axis-title" transform="translate(${x0 - 52},${r2((y0 + y1) / 2)}) rotate(-90)" text-anchor="middle">${xmlEscape(spec.yLabel)}</text>`);
  o.push('</g>');

  // x axis
  o.push('<g class="axis x-axis">');
  let xTicks: { v: number; text: string }[];
  if (spec.xTicks && spec.xTicks.length > 0) {
    const [a, b] = [x0, x1];
    xTicks = [...new Set(spec.xTicks)].filter((v) => Number.isFinite(xScale(v)) && xScale(v) >= a - 0.5 && xScale(v) <= b + 0.5).map((v) => ({ v, text: numFormat(v) }));
  } else if (useLog) {
    const f = xScale.tickFormat(6, '~g');
    xTicks = xScale.ticks().map((v) => ({ v, text: f(v) }));
  } else xTicks = xScale.ticks(8).map((v) => ({ v, text: numFormat(v) }));
  for (const t of xTicks) {
    const major = t.text !== '';
    o.push(`<line x1="${X(t.v)}" x2="${X(t.v)}" y1="${y0}" y2="${y0 + (major ? 5 : 3)}" stroke="#333"/>`);
    if (major) o.push(`<text x="${X(t.v)}" y="${y0 + 18}" text-anchor="middle">${xmlEscape(t.text)}</text>`);
  }
  o.push(`<line x1="${x0}" x2="${x1}" y1="${y0}" y2="${y0}" stroke="#333"/>`);
  o.push(
    `<text class="axis-title" x="${r2((x0 + x1) / 2)}" y="${y0 + 42}" text-anchor="middle">${xmlEscape(spec.xLabel + (useLog ? ', log scale' : ''))}</text>`
  );
  o.push('</g>');

  // baselines: a shaded ± err band and a dashed line across the plot
  baselines.forEach((b, j) => {
    if (!Number.isFinite(b.y)) return;
    const c = legend[series.length + j];
    o.push(`<g class="baseline" data-label="${xmlEscape(b.label)}">`);
    if (b.err != null && Number.isFinite(b.err) && b.err > 0) {
      const top = Math.max(y1, yScale(b.y + Math.abs(b.err))),
        bot = Math.min(y0, yScale(b.y - Math.abs(b.err)));
      if (bot > top) o.push(`<rect x="${x0}" y="${r2(top)}" width="${x1 - x0}" height="${r2(bot - top)}" fill="${c.color}" fill-opacity="0.12"/>`);
    }
    o.push(`<line x1="${x0}" x2="${x1}" y1="${Y(b.y)}" y2="${Y(b.y)}" stroke="${c.color}" stroke-width="1.5" stroke-dasharray="${c.dash}"/>`);
    o.push('</g>');
  });

  // series: line, error bars, markers
  series.forEach((s, i) => {
    const c = legend[i].color;
    o.push(`<g class="series" data-label="${xmlEscape(s.label)}">`);
    const dash = legend[i].dash ? ` stroke-dasharray="${legend[i].dash}"` : '';
    if (s.points.length > 1) o.push(`<path d="${s.points.map((p, k) => `${k ? 'L' : 'M'}${X(p.x)},${Y(p.y)}`).join(' ')}" fill="none" stroke="${c}" stroke-width="2"${dash}/>`);
    for (const p of s.points) {
      if (p.err != null && Number.isFinite(p.err) && p.err > 0) {
        const e = Math.abs(p.err);
        const px = xScale(p.x);
        o.push(
          `<path class="error-bar" d="M${r2(px)},${Y(p.y - e)} L${r2(px)},${Y(p.y + e)} M${r2(px - 4)},${Y(p.y - e)} L${r2(px + 4)},${Y(p.y - e)} M${r2(px - 4)},${Y(p.y + e)} L${r2(px + 4)},${Y(p.y + e)}" fill="none" stroke="${c}" stroke-width="1.2"/>`
        );
      }
      if (xe(p) > 0) {
        const e = xe(p);
        const py = yScale(p.y);
        o.push(
          `<path class="error-bar x-error-bar" d="M${X(p.x - e)},${r2(py)} L${X(p.x + e)},${r2(py)} M${X(p.x - e)},${r2(py - 4)} L${X(p.x - e)},${r2(py + 4)} M${X(p.x + e)},${r2(py - 4)} L${X(p.x + e)},${r2(py + 4)}" fill="none" stroke="${c}" stroke-width="1.2"/>`
        );
      }
      const xPart = `x = ${numFormat(p.x)}${xe(p) > 0 ? ` ± ${numFormat(xe(p))}` : ''}`;
      const yPart = `y = ${numFormat(p.y)}${p.err != null && Number.isFinite(p.err) ? ` ± ${numFormat(p.err)}` : ''}`;
      o.push(`<circle cx="${X(p.x)}" cy="${Y(p.y)}" r="3.5" fill="${c}"><title>${xmlEscape(`${s.label}${p.note ? ` (${p.note})` : ''}: ${xPart}, ${yPart}`)}</title></circle>`);
      if (p.note) o.push(`<text class="point-note" x="${r2(xScale(p.x) + 6)}" y="${r2(yScale(p.y) - 6)}" font-size="10" fill="${c}">${xmlEscape(p.note)}</text>`);
    }
    o.push('</g>');
  });
  if (series.every((s) => s.points.length === 0) && baselines.length === 0)
    o.push(`<text x="${r2((x0 + x1) / 2)}" y="${r2((y0 + y1) / 2)}" text-anchor="middle" fill="#888">no data yet</text>`);

  // legend
  o.push('<g class="legend">');
  legend.forEach((e, k) => {
    const y = legendTop + k * 20 + 8;
    o.push(`<line x1="${x0}" x2="${x0 + 28}" y1="${y}" y2="${y}" stroke="${e.color}" stroke-width="2"${e.dash ? ` stroke-dasharray="${e.dash}"` : ''}/>`);
    if (e.marker) o.push(`<circle cx="${x0 + 14}" cy="${y}" r="3.5" fill="${e.color}"/>`);
    o.push(`<text x="${x0 + 36}" y="${y}" dy="0.32em">${xmlEscape(e.label)}</text>`);
  });
  o.push('</g>');
  o.push('</svg>');
  return o.join('\n') + '\n';
}
