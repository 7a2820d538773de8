// The aggregate charts, drawn as SVG by hand: events per aggregation window stacked by kind, and
// the score's per-window mean and maximum. Input: the buckets of /api/v1/aggregates (one per
// window and kind). Colours come from style.css classes, so no style attribute is needed.
import { el, svg } from './dom.js';
import { count, dateTime, score } from './format.js';

export const KINDS = ['anomaly', 'classification', 'threshold', 'heartbeat'];
// Two days at the default one-hour window: enough to see a trend on a phone's width.
export const MAX_WINDOWS = 48;

const WIDTH = 360;
const PLOT_LEFT = 34;
const PLOT_RIGHT = WIDTH - 6;
const PLOT_TOP = 8;

// One entry per window that has events, oldest first, limited to the MAX_WINDOWS windows up to
// the newest: {start (ms), counts {kind: n}, total, mean, max}.
export function windowsOf(aggregates) {
  const windowMs = aggregates.window_s * 1000;
  const byStart = new Map();
  for (const bucket of aggregates.buckets) {
    const start = new Date(bucket.start).getTime();
    if (!byStart.has(start)) byStart.set(start, { start, counts: {}, total: 0, sum: 0, max: 0 });
    const window = byStart.get(start);
    window.counts[bucket.kind] = (window.counts[bucket.kind] ?? 0) + bucket.count;
    window.total += bucket.count;
    window.sum += bucket.score_mean * bucket.count;
    window.max = Math.max(window.max, bucket.score_max);
  }
  const windows = [...byStart.values()].sort((a, b) => a.start - b.start);
  if (windows.length === 0) return { windows, windowMs, first: 0, last: 0 };
  const last = windows[windows.length - 1].start;
  const first = Math.max(windows[0].start, last - (MAX_WINDOWS - 1) * windowMs);
  const shown = windows.filter((w) => w.start >= first);
  for (const w of shown) w.mean = w.sum / w.total;
  return { windows: shown, windowMs, first, last };
}

function frame(height, yLabels) {
  const bottom = height - 18;
  const parts = [];
  for (const [fraction, text] of yLabels) {
    const y = bottom - fraction * (bottom - PLOT_TOP);
    parts.push(svg('line', { class: 'grid', x1: PLOT_LEFT, x2: PLOT_RIGHT, y1: y, y2: y }));
    parts.push(svg('text', { class: 'axis', x: PLOT_LEFT - 4, y: y + 3, 'text-anchor': 'end' },
        text));
  }
  return { bottom, parts };
}

function timeLabels(range, bottom) {
  const first = dateTime(new Date(range.first).toISOString()).slice(5, 16);
  const last = dateTime(new Date(range.last).toISOString()).slice(5, 16);
  return [
    svg('text', { class: 'axis', x: PLOT_LEFT, y: bottom + 13 }, first),
    svg('text', { class: 'axis', x: PLOT_RIGHT, y: bottom + 13, 'text-anchor': 'end' }, last),
  ];
}

function slotOf(range) {
  const slots = Math.round((range.last - range.first) / range.windowMs) + 1;
  const width = (PLOT_RIGHT - PLOT_LEFT) / slots;
  return { width, x: (start) => PLOT_LEFT + Math.round((start - range.first) / range.windowMs) *
      width };
}

function emptyFigure(caption) {
  return el('figure', { class: 'chart empty' }, el('figcaption', {}, caption));
}

// Events per window, one bar per window, stacked by kind; each segment's <title> tells its count.
export function countChart(range, caption) {
  if (range.windows.length === 0) return emptyFigure(`${caption}: no events yet`);
  const height = 150;
  const peak = Math.max(...range.windows.map((w) => w.total));
  const { bottom, parts } = frame(height, [[0, '0'], [1, count(peak)]]);
  const slot = slotOf(range);
  const bars = [];
  let total = 0;
  for (const window of range.windows) {
    let top = bottom;
    total += window.total;
    for (const kind of KINDS) {
      const n = window.counts[kind] ?? 0;
      if (!n) continue;
      const h = (n / peak) * (bottom - PLOT_TOP);
      top -= h;
      bars.push(svg('rect', {
        class: `bar kind-${kind}`, x: slot.x(window.start) + 0.5, y: top,
        width: Math.max(slot.width - 1, 1), height: h, dataset: { count: n, kind },
      }, svg('title', {}, `${dateTime(new Date(window.start).toISOString())}: ${count(n)} ${kind}`)));
    }
  }
  const legend = el('ul', { class: 'legend' }, KINDS.filter((kind) =>
    range.windows.some((w) => w.counts[kind])).map((kind) =>
    el('li', { class: `kind-${kind}` }, kind)));
  return el('figure', { class: 'chart', dataset: { chart: 'counts' } },
      svg('svg', { viewBox: `0 0 ${WIDTH} ${height}`, role: 'img',
        'aria-label': `${caption}: ${count(total)} events` },
      parts, bars, timeLabels(range, bottom)),
      el('figcaption', {}, `${caption}: `, el('span', { dataset: { field: 'chart-events' } },
          count(total)), ` events in ${range.windows.length} of the last ${MAX_WINDOWS} windows`),
      legend);
}

// Score per window: the maximum as dots, the mean (over all kinds, by count) as a line.
export function scoreChart(range, caption) {
  if (range.windows.length === 0) return emptyFigure(`${caption}: no events yet`);
  const height = 120;
  const { bottom, parts } = frame(height, [[0, '0'], [0.5, '0.5'], [1, '1']]);
  const slot = slotOf(range);
  const y = (value) => bottom - value * (bottom - PLOT_TOP);
  const centre = (start) => slot.x(start) + slot.width / 2;
  const points = range.windows.map((w) => `${centre(w.start).toFixed(1)},${y(w.mean).toFixed(1)}`);
  const dots = range.windows.map((w) => svg('circle', {
    class: 'score-max', cx: centre(w.start), cy: y(w.max), r: 2.5,
  }, svg('title', {}, `${dateTime(new Date(w.start).toISOString())}: max ${score(w.max)}, ` +
      `mean ${score(w.mean)}`)));
  return el('figure', { class: 'chart', dataset: { chart: 'scores' } },
      svg('svg', { viewBox: `0 0 ${WIDTH} ${height}`, role: 'img', 'aria-label': caption },
          parts, svg('polyline', { class: 'score-mean', points: points.join(' ') }), dots,
          timeLabels(range, bottom)),
      el('figcaption', {}, caption),
      el('ul', { class: 'legend' }, el('li', { class: 'score-mean' }, 'mean'),
          el('li', { class: 'score-max' }, 'max')));
}
