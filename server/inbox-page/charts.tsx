// Charts drawn on the server as SVG (no script, no CDN: they work offline and under the page's strict CSP). Colours come
// from the page's stylesheet by class; every bar carries its number (data-value) and a tooltip, and a table beside each
// chart says the same figures in words.
import type { Child } from "hono/jsx";

export interface Series {
  name: string;
  /** CSS class of its bars (colour). */
  className: string;
  values: number[];
  /** What a person reads for each value (tooltips, value labels); default the number. */
  labels?: string[];
}

/** 1, 2 or 5 times a power of ten: a tick step people read at a glance. */
export function niceStep(roughStep: number): number {
  if (!(roughStep > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(roughStep));
  const f = roughStep / power;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
}

/** Ticks from 0 to at least `max`, about `count` of them, on a nice step (integers when `integer`). */
export function niceTicks(max: number, count = 4, integer = false): number[] {
  const step = Math.max(integer ? 1 : 0, niceStep(max / count)) || 1;
  const top = Math.max(step, Math.ceil(max / step) * step);
  const ticks: number[] = [];
  for (let t = 0; t <= top + step / 2; t += step) ticks.push(t);
  return ticks;
}

const W = 720;
const H = 260;
const PAD = { left: 78, right: 12, top: 14, bottom: 46 };

/**
 * Grouped vertical bars: one group per category, one bar per series. `yFormat` writes the axis (money, %, counts); x
 * labels thin out when there are many categories (a 90-day chart labels every few days).
 */
export function BarChart(props: { id: string; title: string; categories: string[]; series: Series[]; yFormat: (n: number) => string; integer?: boolean; max?: number }) {
  const { categories, series } = props;
  const max = props.max ?? Math.max(0, ...series.flatMap((s) => s.values));
  const ticks = niceTicks(max, 4, props.integer);
  const top = ticks.at(-1)!;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const groupW = plotW / Math.max(1, categories.length);
  const barW = Math.max(1, Math.min(36, (groupW * 0.8) / Math.max(1, series.length)));
  const y = (v: number) => PAD.top + plotH - (top ? (v / top) * plotH : 0);
  const labelEvery = Math.ceil(categories.length / 14);
  return (
    <figure class="chart" id={props.id}>
      <figcaption>{props.title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={props.title} preserveAspectRatio="xMidYMid meet">
        {ticks.map((t) => (
          <g class="tick">
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} class="grid" />
            <text x={PAD.left - 6} y={y(t) + 4} text-anchor="end" class="axis">
              {props.yFormat(t)}
            </text>
          </g>
        ))}
        {categories.map((c, i) => {
          const x0 = PAD.left + i * groupW + (groupW - barW * series.length) / 2;
          return (
            <g class="group" data-category={c}>
              {series.map((s, j) => {
                const v = s.values[i] ?? 0;
                const label = s.labels?.[i] ?? String(v);
                return (
                  <rect class={`bar ${s.className}`} x={x0 + j * barW} y={y(v)} width={Math.max(1, barW - 1)} height={Math.max(0, y(0) - y(v))} data-series={s.name} data-category={c} data-value={v}>
                    <title>{`${s.name}, ${c}: ${label}`}</title>
                  </rect>
                );
              })}
              {i % labelEvery === 0 ? (
                <text x={PAD.left + i * groupW + groupW / 2} y={H - PAD.bottom + 16} text-anchor="middle" class="axis">
                  {c}
                </text>
              ) : null}
            </g>
          );
        })}
        <line x1={PAD.left} x2={W - PAD.right} y1={y(0)} y2={y(0)} class="baseline" />
      </svg>
      {series.length > 1 ? (
        <div class="legend">
          {series.map((s) => (
            <span>
              <i class={`swatch ${s.className}`}></i>
              {s.name}
            </span>
          ))}
        </div>
      ) : null}
    </figure>
  );
}

/** A small table of the same figures a chart draws: for reading exact numbers and for screen readers. */
export function FigureTable(props: { head: string[]; rows: Child[][]; id?: string }) {
  return (
    <table class="figures" id={props.id}>
      <tr>
        {props.head.map((h) => (
          <th>{h}</th>
        ))}
      </tr>
      {props.rows.map((r) => (
        <tr>
          {r.map((cell) => (
            <td>{cell}</td>
          ))}
        </tr>
      ))}
    </table>
  );
}
