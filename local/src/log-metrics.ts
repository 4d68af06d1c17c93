import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import path from 'node:path';

/*
 * The pipeline dashboard's numbers, read from the services' structured logs (.sluice/logs/*.log):
 * the same fields the CloudWatch dashboard queries on AWS (service, assetId, stage, outcome,
 * durationMs, reason). Local only: on AWS, CloudWatch Logs Insights does this.
 */

export interface PipelineLogEntry {
  time: number;
  service: string;
  stage: string;
  outcome: string;
  assetId?: string;
  durationMs?: number;
  reason?: string;
  message?: string;
}

export interface StageMetrics {
  stage: string;
  service: string;
  count: number;
  outcomes: Record<string, number>;
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
}

export interface MetricsSnapshot {
  generatedAt: string;
  source: 'local-logs';
  window: { from: string; to: string; bucketSeconds: number };
  totals: { entries: number; assets: number; outcomes: Record<string, number> };
  stages: StageMetrics[];
  /** Succeeded steps per stage per time bucket, oldest first. */
  throughput: { buckets: string[]; series: Record<string, number[]> };
  failures: { reason: string; stage: string; outcome: string; count: number }[];
  recent: (PipelineLogEntry & { at: string })[];
}

/** One pipeline log line, or undefined for anything else (poller lines, request logs, noise). */
export function parsePipelineLine(text: string): PipelineLogEntry | undefined {
  if (!text.startsWith('{')) return undefined;
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const { stage, outcome, service, timestamp } = json;
  if (typeof stage !== 'string' || typeof outcome !== 'string' || typeof service !== 'string')
    return undefined;
  const time = typeof timestamp === 'string' ? Date.parse(timestamp) : Number.NaN;
  if (Number.isNaN(time)) return undefined;
  return {
    time,
    service,
    stage,
    outcome,
    assetId: typeof json.assetId === 'string' ? json.assetId : undefined,
    durationMs: typeof json.durationMs === 'number' ? json.durationMs : undefined,
    reason: typeof json.reason === 'string' ? json.reason : undefined,
    message: typeof json.message === 'string' ? json.message : undefined,
  };
}

const MAX_ENTRIES = 100_000;
const READ_CHUNK = 1 << 20;

/** Follows every *.log in a folder (but moto's), reading only what was appended since the last call. */
export class PipelineLogTailer {
  private readonly files = new Map<string, { offset: number; rest: string; entries: PipelineLogEntry[] }>();

  constructor(private readonly dir: string) {}

  entries(): PipelineLogEntry[] {
    this.poll();
    return [...this.files.values()].flatMap((file) => file.entries);
  }

  private poll(): void {
    if (!existsSync(this.dir)) return;
    for (const name of readdirSync(this.dir)) {
      if (!name.endsWith('.log') || name === 'moto.log') continue;
      const file = path.join(this.dir, name);
      let state = this.files.get(file);
      const size = statSync(file).size;
      if (!state || size < state.offset) {
        state = { offset: 0, rest: '', entries: [] };
        this.files.set(file, state);
      }
      if (size === state.offset) continue;
      const fd = openSync(file, 'r');
      try {
        const buffer = Buffer.alloc(READ_CHUNK);
        while (state.offset < size) {
          const read = readSync(fd, buffer, 0, Math.min(READ_CHUNK, size - state.offset), state.offset);
          if (read <= 0) break;
          state.offset += read;
          const lines = (state.rest + buffer.subarray(0, read).toString('utf8')).split('\n');
          state.rest = lines.pop() ?? '';
          for (const text of lines) {
            const entry = parsePipelineLine(text.trim());
            if (entry) state.entries.push(entry);
          }
        }
      } finally {
        closeSync(fd);
      }
      if (state.entries.length > MAX_ENTRIES) state.entries.splice(0, state.entries.length - MAX_ENTRIES);
    }
  }
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round((sorted[index] as number) * 100) / 100;
}

export interface AggregateOptions {
  now?: number;
  /** How far back to look. Default 60 minutes. */
  windowMinutes?: number;
  bucketSeconds?: number;
  recent?: number;
}

/** Throughput, latency percentiles by stage, failures by reason, and the latest steps. */
export function aggregate(all: PipelineLogEntry[], options: AggregateOptions = {}): MetricsSnapshot {
  const now = options.now ?? Date.now();
  const bucketMs = (options.bucketSeconds ?? 60) * 1000;
  const windowMs = (options.windowMinutes ?? 60) * 60_000;
  const end = Math.ceil(now / bucketMs) * bucketMs;
  const start = end - windowMs;
  const entries = all.filter((e) => e.time >= start && e.time <= now).sort((a, b) => a.time - b.time);

  const totals: Record<string, number> = {};
  const assets = new Set<string>();
  const byStage = new Map<
    string,
    { service: string; durations: number[]; outcomes: Record<string, number> }
  >();
  const failures = new Map<string, { reason: string; stage: string; outcome: string; count: number }>();
  const bucketCount = Math.round(windowMs / bucketMs);
  const series: Record<string, number[]> = {};

  for (const entry of entries) {
    totals[entry.outcome] = (totals[entry.outcome] ?? 0) + 1;
    if (entry.assetId) assets.add(entry.assetId);
    let stage = byStage.get(entry.stage);
    if (!stage) {
      stage = { service: entry.service, durations: [], outcomes: {} };
      byStage.set(entry.stage, stage);
    }
    stage.outcomes[entry.outcome] = (stage.outcomes[entry.outcome] ?? 0) + 1;
    if (entry.durationMs !== undefined && entry.outcome === 'succeeded')
      stage.durations.push(entry.durationMs);
    if (entry.outcome === 'rejected' || entry.outcome === 'failed') {
      const reason = entry.reason ?? (entry.outcome === 'failed' ? 'error' : 'unspecified');
      const key = `${entry.stage}\u0000${entry.outcome}\u0000${reason}`;
      const failure = failures.get(key) ?? { reason, stage: entry.stage, outcome: entry.outcome, count: 0 };
      failure.count++;
      failures.set(key, failure);
    }
    if (entry.outcome === 'succeeded') {
      const bucket = Math.min(bucketCount - 1, Math.floor((entry.time - start) / bucketMs));
      const counts = series[entry.stage] ?? new Array<number>(bucketCount).fill(0);
      counts[bucket] = (counts[bucket] ?? 0) + 1;
      series[entry.stage] = counts;
    }
  }

  const stages: StageMetrics[] = [...byStage.entries()].map(([stage, data]) => {
    const sorted = [...data.durations].sort((a, b) => a - b);
    return {
      stage,
      service: data.service,
      count: Object.values(data.outcomes).reduce((sum, n) => sum + n, 0),
      outcomes: data.outcomes,
      p50Ms: percentile(sorted, 50),
      p95Ms: percentile(sorted, 95),
      maxMs: sorted.length ? (sorted.at(-1) as number) : null,
    };
  });

  return {
    generatedAt: new Date(now).toISOString(),
    source: 'local-logs',
    window: {
      from: new Date(start).toISOString(),
      to: new Date(end).toISOString(),
      bucketSeconds: bucketMs / 1000,
    },
    totals: { entries: entries.length, assets: assets.size, outcomes: totals },
    stages,
    throughput: {
      buckets: Array.from({ length: bucketCount }, (_, i) => new Date(start + i * bucketMs).toISOString()),
      series,
    },
    failures: [...failures.values()].sort((a, b) => b.count - a.count),
    recent: entries
      .slice(-(options.recent ?? 20))
      .reverse()
      .map((entry) => ({ ...entry, at: new Date(entry.time).toISOString() })),
  };
}
