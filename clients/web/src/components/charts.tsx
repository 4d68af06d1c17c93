import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

/*
 * Small hand-rolled SVG charts: each is a <figure> with a caption, an image with a text summary for
 * screen readers, and the numbers as a table under a disclosure. Colors come from CSS variables and
 * every series also differs by dash pattern, so color is never the only cue.
 */

export const SERIES_COLORS = [
  'var(--series-1)',
  'var(--series-2)',
  'var(--series-3)',
  'var(--series-4)',
  'var(--series-5)',
];
const DASHES = ['', '6 3', '2 3', '8 3 2 3', '1 2'];

export function ChartFigure(props: {
  id: string;
  title: string;
  summary: string;
  children: ComponentChildren;
  table: ComponentChildren;
}) {
  return (
    <figure class="chart" aria-labelledby={`${props.id}-title`}>
      <figcaption id={`${props.id}-title`}>{props.title}</figcaption>
      <div role="img" aria-label={`${props.title}: ${props.summary}`}>
        {props.children}
      </div>
      <details>
        <summary>Data table</summary>
        {props.table}
      </details>
    </figure>
  );
}

export interface Series {
  name: string;
  values: number[];
}

/** The element's width in CSS pixels, so SVG text keeps its size at any screen width. */
function useWidth(fallback: number) {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setWidth(Math.max(240, Math.round(entry.contentRect.width)));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return { ref, width };
}

/** Lines over time buckets (throughput). */
export function LineChart(props: {
  id: string;
  title: string;
  labels: string[];
  series: Series[];
  unit: string;
}) {
  const { ref, width } = useWidth(640);
  const height = 220;
  const pad = { left: 36, right: 12, top: 12, bottom: 28 };
  const max = Math.max(1, ...props.series.flatMap((s) => s.values));
  const n = Math.max(1, props.labels.length - 1);
  const x = (i: number) => pad.left + (i / n) * (width - pad.left - pad.right);
  const y = (v: number) => height - pad.bottom - (v / max) * (height - pad.top - pad.bottom);
  const total = props.series.reduce((sum, s) => sum + s.values.reduce((a, b) => a + b, 0), 0);
  const summary =
    props.series.length === 0
      ? 'no data yet'
      : props.series.map((s) => `${s.name} ${s.values.reduce((a, b) => a + b, 0)} ${props.unit}`).join(', ');
  const ticks = [0, Math.round(max / 2), max];
  const labelEvery = Math.max(1, Math.ceil(props.labels.length / Math.max(2, Math.floor(width / 90))));
  return (
    <ChartFigure
      id={props.id}
      title={props.title}
      summary={summary}
      table={
        <table>
          <thead>
            <tr>
              <th scope="col">time</th>
              {props.series.map((s) => (
                <th scope="col" key={s.name}>
                  {s.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {props.labels.map((label, i) =>
              props.series.some((s) => (s.values[i] ?? 0) > 0) ? (
                <tr key={label}>
                  <th scope="row">{label}</th>
                  {props.series.map((s) => (
                    <td key={s.name}>{s.values[i] ?? 0}</td>
                  ))}
                </tr>
              ) : null,
            )}
          </tbody>
        </table>
      }
    >
      <div ref={ref}>
        <svg viewBox={`0 0 ${width} ${height}`} class="chart-svg" aria-hidden="true" focusable="false">
          {ticks.map((t) => (
            <g key={t}>
              <line x1={pad.left} x2={width - pad.right} y1={y(t)} y2={y(t)} class="gridline" />
              <text x={pad.left - 6} y={y(t) + 4} text-anchor="end" class="axis">
                {t}
              </text>
            </g>
          ))}
          {props.labels.map((label, i) =>
            i % labelEvery === 0 ? (
              <text key={label} x={x(i)} y={height - 8} text-anchor="middle" class="axis">
                {label}
              </text>
            ) : null,
          )}
          {props.series.map((s, index) => (
            <polyline
              key={s.name}
              fill="none"
              stroke={SERIES_COLORS[index % SERIES_COLORS.length]}
              stroke-width="2.5"
              stroke-dasharray={DASHES[index % DASHES.length]}
              points={s.values.map((v, i) => `${x(i)},${y(v)}`).join(' ')}
            />
          ))}
          {total === 0 ? (
            <text x={width / 2} y={height / 2} text-anchor="middle" class="empty">
              Nothing processed in this window yet
            </text>
          ) : null}
        </svg>
      </div>
      <ul class="legend">
        {props.series.map((s, index) => (
          <li key={s.name}>
            <svg width="24" height="8" aria-hidden="true">
              <line
                x1="0"
                x2="24"
                y1="4"
                y2="4"
                stroke={SERIES_COLORS[index % SERIES_COLORS.length]}
                stroke-width="3"
                stroke-dasharray={DASHES[index % DASHES.length]}
              />
            </svg>
            {s.name}
          </li>
        ))}
      </ul>
    </ChartFigure>
  );
}

export interface Bar {
  label: string;
  values: { name: string; value: number; tone?: 'warn' | 'bad' }[];
}

/**
 * Horizontal bars, one group per label (latency p50/p95, failures, queue depths), drawn in HTML so
 * labels wrap and text stays readable on a phone.
 */
export function BarChart(props: {
  id: string;
  title: string;
  bars: Bar[];
  format: (v: number) => string;
  empty: string;
}) {
  const max = Math.max(1, ...props.bars.flatMap((b) => b.values.map((v) => v.value)));
  const summary = props.bars.length
    ? props.bars
        .map((b) => `${b.label}: ${b.values.map((v) => `${v.name} ${props.format(v.value)}`).join(', ')}`)
        .join('; ')
    : props.empty;
  return (
    <ChartFigure
      id={props.id}
      title={props.title}
      summary={summary}
      table={
        <table>
          <tbody>
            {props.bars.map((b) => (
              <tr key={b.label}>
                <th scope="row">{b.label}</th>
                {b.values.map((v) => (
                  <td key={v.name}>
                    {v.name} {props.format(v.value)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <div class="bars" aria-hidden="true">
        {props.bars.length === 0 ? <p class="empty">{props.empty}</p> : null}
        {props.bars.map((b) => (
          <div class="bar-group" key={b.label}>
            <div class="bar-label">{b.label.length > 72 ? `${b.label.slice(0, 70)}…` : b.label}</div>
            {b.values.map((v, i) => (
              <div class="bar-row" key={v.name}>
                <span class={`bar bar-${i} ${v.tone ?? ''}`} style={{ width: `${(v.value / max) * 75}%` }} />
                <span class="bar-value">
                  {v.name} {props.format(v.value)}
                </span>
              </div>
            ))}
          </div>
        ))}
      </div>
    </ChartFigure>
  );
}
