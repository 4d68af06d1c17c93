import { useEffect, useState } from 'preact/hooks';
import { BarChart, LineChart } from '../components/charts';
import { formatMs, formatTime } from '../format';
import { href } from '../router';

/** GET /local/metrics (src/local-web.ts in @sluice/local): log aggregates and queue depths. */
export interface Metrics {
  generatedAt: string;
  window: { from: string; to: string; bucketSeconds: number };
  totals: { entries: number; assets: number; outcomes: Record<string, number> };
  stages: {
    stage: string;
    service: string;
    count: number;
    outcomes: Record<string, number>;
    p50Ms: number | null;
    p95Ms: number | null;
    maxMs: number | null;
  }[];
  throughput: { buckets: string[]; series: Record<string, number[]> };
  failures: { reason: string; stage: string; outcome: string; count: number }[];
  recent: {
    at: string;
    service: string;
    stage: string;
    outcome: string;
    assetId?: string;
    durationMs?: number;
    reason?: string;
  }[];
  queues: {
    name: string;
    kind: 'queue' | 'dlq';
    visible: number;
    inFlight: number;
    delayed: number;
    error?: string;
  }[];
}

const REFRESH_MS = 3000;
const STAGE_ORDER = ['process', 'index', 'archive'];

export function DashboardPage() {
  const [metrics, setMetrics] = useState<Metrics | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [paused, setPaused] = useState(false);
  const [windowMinutes, setWindowMinutes] = useState(15);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const bucketSeconds = windowMinutes <= 15 ? 30 : 60;
        const response = await fetch(
          `/local/metrics?windowMinutes=${windowMinutes}&bucketSeconds=${bucketSeconds}`,
        );
        if (!response.ok) throw new Error(response.status === 404 ? 'not-local' : `HTTP ${response.status}`);
        const next = (await response.json()) as Metrics;
        if (!stopped) {
          setMetrics(next);
          setError(undefined);
        }
      } catch (e) {
        if (!stopped) setError((e as Error).message);
      }
      if (!stopped && !paused) timer = setTimeout(load, REFRESH_MS);
    };
    void load();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [paused, windowMinutes]);

  const stages = [...(metrics?.stages ?? [])].sort(
    (a, b) => (STAGE_ORDER.indexOf(a.stage) + 1 || 99) - (STAGE_ORDER.indexOf(b.stage) + 1 || 99),
  );
  const outcomes = metrics?.totals.outcomes ?? {};
  const dlqDepth = (metrics?.queues ?? [])
    .filter((q) => q.kind === 'dlq')
    .reduce((sum, q) => sum + q.visible + q.inFlight, 0);

  return (
    <section aria-labelledby="dashboard-title">
      <h1 id="dashboard-title">Pipeline dashboard</h1>
      <p class="lead">
        From the services' structured logs (service, assetId, stage, outcome, durationMs, reason) — the fields
        the CloudWatch dashboard queries on AWS — and the queues' depths. Local stack only.
      </p>
      <div class="toolbar">
        <label for="window">Window</label>
        <select
          id="window"
          value={String(windowMinutes)}
          onChange={(e) => setWindowMinutes(Number((e.currentTarget as HTMLSelectElement).value))}
        >
          <option value="5">5 minutes</option>
          <option value="15">15 minutes</option>
          <option value="60">1 hour</option>
          <option value="360">6 hours</option>
        </select>
        <button type="button" aria-pressed={paused} onClick={() => setPaused(!paused)}>
          {paused ? 'Resume updates' : 'Pause updates'}
        </button>
        <span class="muted">{metrics ? `Updated ${formatTime(metrics.generatedAt)}` : ''}</span>
      </div>
      {error ? (
        <p class="error" role="alert">
          {error === 'not-local'
            ? 'The dashboard reads the local stack (/local/metrics); on AWS, use the CloudWatch dashboard.'
            : `Could not load metrics: ${error}`}
        </p>
      ) : null}
      {metrics ? (
        <>
          <ul class="tiles" aria-label="Totals in this window">
            <li>
              <span class="tile-value">{metrics.totals.assets}</span> assets seen
            </li>
            <li>
              <span class="tile-value">{outcomes.succeeded ?? 0}</span> steps succeeded
            </li>
            <li class={outcomes.rejected ? 'warn' : ''}>
              <span class="tile-value">{outcomes.rejected ?? 0}</span> rejected
            </li>
            <li class={outcomes.failed ? 'bad' : ''}>
              <span class="tile-value">{outcomes.failed ?? 0}</span> failed
            </li>
            <li class={dlqDepth ? 'bad' : ''}>
              <span class="tile-value">{dlqDepth}</span> in dead-letter queues
            </li>
          </ul>
          <div class="charts">
            <LineChart
              id="throughput"
              title={`Throughput: steps succeeded per ${metrics.window.bucketSeconds} s`}
              unit="steps"
              labels={metrics.throughput.buckets.map((b) => formatTime(b).slice(0, 5))}
              series={stages
                .filter((s) => metrics.throughput.series[s.stage])
                .map((s) => ({ name: s.stage, values: metrics.throughput.series[s.stage] ?? [] }))}
            />
            <BarChart
              id="latency"
              title="Latency by stage (succeeded steps)"
              format={formatMs}
              empty="No timings yet"
              bars={stages
                .filter((s) => s.p50Ms !== null)
                .map((s) => ({
                  label: s.stage,
                  values: [
                    { name: 'p50', value: s.p50Ms ?? 0 },
                    { name: 'p95', value: s.p95Ms ?? 0 },
                  ],
                }))}
            />
            <BarChart
              id="failures"
              title="Failures by reason"
              format={(v) => String(v)}
              empty="No rejections or failures"
              bars={metrics.failures.map((f) => ({
                label: `${f.reason} (${f.stage})`,
                values: [{ name: f.outcome, value: f.count, tone: f.outcome === 'failed' ? 'bad' : 'warn' }],
              }))}
            />
            <BarChart
              id="queues"
              title="Queue and dead-letter queue depths"
              format={(v) => String(v)}
              empty="No queues"
              bars={metrics.queues.map((q) => ({
                label: q.name,
                values: [
                  {
                    name: 'waiting',
                    value: q.visible,
                    tone: q.kind === 'dlq' && q.visible > 0 ? 'bad' : undefined,
                  },
                  { name: 'in flight', value: q.inFlight },
                ],
              }))}
            />
          </div>
          <h2>Latest steps</h2>
          {metrics.recent.length === 0 ? (
            <p>
              Nothing yet: <a href={href('upload')}>upload</a> a few files and watch them arrive here.
            </p>
          ) : (
            <div class="table-wrap">
              <table class="recent">
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Stage</th>
                    <th scope="col">Outcome</th>
                    <th scope="col">Duration</th>
                    <th scope="col">Asset</th>
                  </tr>
                </thead>
                <tbody>
                  {metrics.recent.map((r) => (
                    <tr key={`${r.at}-${r.assetId}-${r.stage}-${r.outcome}`}>
                      <td>{formatTime(r.at)}</td>
                      <td>{r.stage}</td>
                      <td>
                        <span class={`badge badge-${r.outcome}`}>{r.outcome}</span>
                        {r.reason ? ` ${r.reason}` : ''}
                      </td>
                      <td>{formatMs(r.durationMs)}</td>
                      <td>
                        {r.assetId ? <a href={href(`assets/${r.assetId}`)}>{r.assetId.slice(0, 8)}</a> : ''}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      ) : error ? null : (
        <p role="status">Loading…</p>
      )}
    </section>
  );
}
