// Pictures of a webhook's deliveries, drawn as SVG from GET /v2/webhooks/{id}/stats: attempts per
// interval (succeeded stacked under failed) and attempt latency (p50 and p95 lines), over the last
// 24 hours or 7 days. Each bar and point names its figures (a tooltip, and for screen readers),
// and the same figures are in a table under the charts.
import type { WebhookStats } from './api.js';
import { percent } from './format.js';

const W = 720;
const H = 160;
const PAD = { left: 56, right: 8, top: 10, bottom: 24 };
const plotW = W - PAD.left - PAD.right;
const plotH = H - PAD.top - PAD.bottom;

/** A round number at or above n, for the top of an axis. */
function niceMax(n: number): number {
  if (n <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(n));
  return [1, 2, 2.5, 5, 10].map((m) => m * step).find((m) => m >= n)!;
}

const hour = (iso: string, withDay: boolean) =>
  new Date(iso).toLocaleString(undefined, withDay ? { weekday: 'short', hour: '2-digit', minute: '2-digit' } : { hour: '2-digit', minute: '2-digit' });

function span(stats: WebhookStats, i: number): string {
  const from = stats.intervals[i]!.start_time;
  const to = new Date(Date.parse(from) + stats.interval_seconds * 1000).toISOString();
  const withDay = stats.range === '7d';
  return `${hour(from, withDay)}–${hour(to, withDay)}`;
}

function Axis(props: { max: number; unit: string }) {
  return (
    <g className="axis" aria-hidden="true">
      {[0, 0.5, 1].map((f) => (
        <g key={f}>
          <line x1={PAD.left} x2={W - PAD.right} y1={PAD.top + plotH * (1 - f)} y2={PAD.top + plotH * (1 - f)} />
          <text x={PAD.left - 6} y={PAD.top + plotH * (1 - f) + 4} textAnchor="end">
            {Number.isInteger(props.max * f) ? props.max * f : (props.max * f).toFixed(1)}
            {props.unit}
          </text>
        </g>
      ))}
    </g>
  );
}

function TimeLabels(props: { stats: WebhookStats; slot: number }) {
  const every = props.stats.range === '7d' ? 4 : 6;
  return (
    <g className="axis" aria-hidden="true">
      {props.stats.intervals.map((iv, i) =>
        i % every === 0 ? (
          <text key={iv.start_time} x={PAD.left + i * props.slot} y={H - 6}>
            {hour(iv.start_time, props.stats.range === '7d')}
          </text>
        ) : null,
      )}
    </g>
  );
}

export function AttemptsChart(props: { stats: WebhookStats }) {
  const { stats } = props;
  const n = stats.intervals.length;
  const slot = plotW / n;
  const max = niceMax(Math.max(...stats.intervals.map((i) => i.attempts)));
  const y = (count: number) => (count / max) * plotH;
  return (
    <svg className="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="attempts-chart-title">
      <title id="attempts-chart-title">
        Attempts per {stats.interval_seconds === 3600 ? 'hour' : '6 hours'}: {stats.totals.succeeded} succeeded, {stats.totals.failed} failed
      </title>
      <Axis max={max} unit="" />
      {stats.intervals.map((iv, i) => {
        const x = PAD.left + i * slot + slot * 0.15;
        const okH = y(iv.succeeded);
        const failH = y(iv.failed);
        return (
          <g key={iv.start_time} className="bar" data-start={iv.start_time} data-succeeded={iv.succeeded} data-failed={iv.failed}>
            <title>{`${span(stats, i)}: ${iv.succeeded} succeeded, ${iv.failed} failed`}</title>
            <rect className="ok" x={x} width={slot * 0.7} y={PAD.top + plotH - okH} height={okH} />
            <rect className="failed" x={x} width={slot * 0.7} y={PAD.top + plotH - okH - failH} height={failH} />
          </g>
        );
      })}
      <TimeLabels stats={stats} slot={slot} />
    </svg>
  );
}

export function LatencyChart(props: { stats: WebhookStats }) {
  const { stats } = props;
  const slot = plotW / stats.intervals.length;
  const max = niceMax(Math.max(0, ...stats.intervals.map((i) => i.p95_ms ?? 0)));
  const point = (i: number, v: number) => [PAD.left + i * slot + slot / 2, PAD.top + plotH - (v / max) * plotH] as const;
  /** A line through the intervals that have a value; gaps where none was attempted. */
  const path = (pick: 'p50_ms' | 'p95_ms') => {
    let d = '';
    let drawing = false;
    stats.intervals.forEach((iv, i) => {
      const v = iv[pick];
      if (v === null) return void (drawing = false);
      const [px, py] = point(i, v);
      d += `${drawing ? 'L' : 'M'}${px.toFixed(1)},${py.toFixed(1)} `;
      drawing = true;
    });
    return d.trim();
  };
  return (
    <svg className="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="latency-chart-title">
      <title id="latency-chart-title">
        Attempt latency: p50 {stats.totals.p50_ms ?? '–'} ms, p95 {stats.totals.p95_ms ?? '–'} ms over the range
      </title>
      <Axis max={max} unit=" ms" />
      {(['p95_ms', 'p50_ms'] as const).map((pick) => (
        <g key={pick} className={`line ${pick}`}>
          <path d={path(pick)} />
          {stats.intervals.map((iv, i) => {
            const v = iv[pick];
            if (v === null) return null;
            const [cx, cy] = point(i, v);
            return (
              <circle key={iv.start_time} cx={cx} cy={cy} r={3} data-start={iv.start_time} data-ms={v}>
                <title>{`${span(stats, i)}: ${pick === 'p50_ms' ? 'p50' : 'p95'} ${v} ms`}</title>
              </circle>
            );
          })}
        </g>
      ))}
      <TimeLabels stats={stats} slot={slot} />
    </svg>
  );
}

export function StatsFigures(props: { stats: WebhookStats }) {
  const { stats } = props;
  const t = stats.totals;
  const busy = stats.intervals.map((iv, i) => ({ iv, i })).filter(({ iv }) => iv.attempts > 0);
  return (
    <>
      <p className="figures">
        {t.attempts === 0
          ? `No attempts in the last ${stats.range === '7d' ? '7 days' : '24 hours'}.`
          : `${t.attempts} attempts in the last ${stats.range === '7d' ? '7 days' : '24 hours'}: ${t.succeeded} succeeded, ${t.failed} failed (${percent(t.success_rate ?? 0)} succeeded). Latency p50 ${t.p50_ms} ms, p95 ${t.p95_ms} ms.`}
      </p>
      <details className="figures-table">
        <summary>Figures per interval</summary>
        <table>
          <caption className="sr-only">Attempts per interval</caption>
          <thead>
            <tr>
              <th scope="col">Interval</th>
              <th scope="col">Succeeded</th>
              <th scope="col">Failed</th>
              <th scope="col">p50</th>
              <th scope="col">p95</th>
            </tr>
          </thead>
          <tbody>
            {busy.length === 0 ? (
              <tr>
                <td colSpan={5}>No attempts.</td>
              </tr>
            ) : (
              busy.map(({ iv, i }) => (
                <tr key={iv.start_time}>
                  <td>{span(stats, i)}</td>
                  <td>{iv.succeeded}</td>
                  <td>{iv.failed}</td>
                  <td>{iv.p50_ms} ms</td>
                  <td>{iv.p95_ms} ms</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </details>
    </>
  );
}
