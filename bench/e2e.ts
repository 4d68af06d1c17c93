/**
 * `npm run bench:e2e`: N uploads through the whole local pipeline (processor, indexer, archiver on
 * the local stack), then the same uploads through stand-ins that make the same S3/SNS calls and
 * nothing else (bench/noop-handler.ts), so the emulator's own cost shows apart from the pipeline's.
 *
 * For each run: files/s (uploads started to the last asset archived), latency from the end of each
 * upload to its asset.indexed and asset.archived events (p50/p95/p99, from the events' own `time`),
 * time per stage from the services' structured logs (durationMs of each pipeline step), and the peak
 * resident memory (VmHWM) of every function host and of moto. Then the shared helpers' per-message
 * overhead (bench/helpers-overhead.ts, in its own process).
 *
 *   SLUICE_BENCH_N           uploads (default 50, at most 500)
 *   SLUICE_BENCH_CONCURRENCY uploads in flight at once (default 8)
 *   --json <file>            also write every figure as JSON
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type LocalStack, parsePipelineLine, startStack } from '@sluice/local';

const root = path.resolve(__dirname, '..');
const FIXTURES = path.resolve(root, '../shared/fixtures');
const N = Math.min(500, Math.max(1, Number(process.env.SLUICE_BENCH_N ?? 50)));
const CONCURRENCY = Math.max(1, Number(process.env.SLUICE_BENCH_CONCURRENCY ?? 8));
/** Photos of the sizes people upload from phones and the web, 0.1 to 2.2 MP. */
const MIX = [
  'jpeg/gps-phone.jpg',
  'jpeg/orient-1.jpg',
  'webp/lossy.webp',
  'jpeg/iptc-xmp-icc.jpg',
  'png/palette.png',
  'avif/exif-irvine.avif',
  'jpeg/progressive.jpg',
  'gif/static.gif',
  'png/alpha-rgba.png',
  'jpeg/cmyk-icc.jpg',
];

interface RunResult {
  label: string;
  uploads: number;
  uploadMB: number;
  wallSeconds: number;
  filesPerSecond: number;
  toIndexedMs: Percentiles;
  toArchivedMs: Percentiles;
  stages: Record<string, Percentiles & { count: number }>;
  peakRssMB: Record<string, number>;
}

interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}
const percentiles = (values: number[]): Percentiles => ({
  p50: Math.round(percentile(values, 50)),
  p95: Math.round(percentile(values, 95)),
  p99: Math.round(percentile(values, 99)),
});

/** Peak resident set (VmHWM) of a process, in MB; NaN when it is gone. */
function peakRssMB(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

async function run(label: string, entries: Record<string, string> | undefined): Promise<RunResult> {
  const logsDir = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-logs-'));
  const namePrefix = `sluice-bench-${label}-${process.pid}`;
  let stack: LocalStack | undefined;
  try {
    stack = await startStack({
      stateFile: false,
      namePrefix,
      services: ['processor', 'indexer', 'archiver'],
      logsDir,
      webRoot: false,
      ...(entries ? { entries } : {}),
    });
    const common = {
      region: 'us-east-1',
      endpoint: stack.awsEndpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    };
    const s3 = new S3Client({ ...common, forcePathStyle: true });
    const sqs = new SQSClient(common);
    const sns = new SNSClient(common);
    // A raw-delivery tap on the pipeline-events topic.
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${namePrefix}-tap` }));
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] })))
      .Attributes?.QueueArn;
    await sns.send(
      new SubscribeCommand({
        TopicArn: stack.resources.topics['pipeline-events'],
        Protocol: 'sqs',
        Endpoint: arn,
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );

    const bodies = MIX.map((f) => readFileSync(path.join(FIXTURES, f)));
    const uploadedAt = new Map<string, number>();
    let uploadBytes = 0;
    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < N) {
          const i = next++;
          const body = bodies[i % bodies.length] as Buffer;
          const assetId = randomUUID();
          await s3.send(
            new PutObjectCommand({
              Bucket: stack?.resources.buckets.ingest,
              Key: `uploads/bench/${assetId}/${path.basename(MIX[i % MIX.length] as string)}`,
              Body: body,
            }),
          );
          uploadedAt.set(assetId, Date.now());
          uploadBytes += body.length;
        }
      }),
    );

    const indexed = new Map<string, number>();
    const archived = new Map<string, number>();
    const deadline = Date.now() + Math.max(300_000, N * 10_000);
    while ((indexed.size < N || archived.size < N) && Date.now() < deadline) {
      const out = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      for (const m of out.Messages ?? []) {
        const e = JSON.parse(m.Body ?? '{}') as { type?: string; assetId?: string; time?: string };
        if (!e.assetId || !uploadedAt.has(e.assetId) || !e.time) continue;
        const at = Date.parse(e.time);
        if (e.type === 'asset.indexed' && !indexed.has(e.assetId)) indexed.set(e.assetId, at);
        if (e.type === 'asset.archived' && !archived.has(e.assetId)) archived.set(e.assetId, at);
      }
      if (out.Messages?.length)
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl,
            Entries: out.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
    }
    if (indexed.size < N || archived.size < N)
      throw new Error(`${label}: only ${indexed.size} indexed and ${archived.size} archived of ${N} in time`);
    const last = Math.max(...archived.values(), ...indexed.values());

    const peak: Record<string, number> = { moto: peakRssMB(stack.motoPid) };
    for (const s of stack.services) peak[s.name] = peakRssMB(s.pid);

    // Time per stage: each service's own durationMs for this run's assets.
    const stageTimes = new Map<string, number[]>();
    for (const file of readdirSync(logsDir).filter((f) => f.endsWith('.log') && f !== 'moto.log')) {
      for (const line of readFileSync(path.join(logsDir, file), 'utf8').split('\n')) {
        const entry = parsePipelineLine(line);
        if (!entry?.assetId || !uploadedAt.has(entry.assetId) || entry.durationMs === undefined) continue;
        if (entry.outcome !== 'succeeded') continue;
        const list = stageTimes.get(entry.stage) ?? [];
        list.push(entry.durationMs);
        stageTimes.set(entry.stage, list);
      }
    }
    const latency = (events: Map<string, number>) =>
      percentiles([...events].map(([id, at]) => at - (uploadedAt.get(id) as number)));
    s3.destroy();
    sqs.destroy();
    sns.destroy();
    return {
      label,
      uploads: N,
      uploadMB: Number((uploadBytes / 1024 ** 2).toFixed(1)),
      wallSeconds: Number(((last - started) / 1000).toFixed(1)),
      filesPerSecond: Number((N / ((last - started) / 1000)).toFixed(2)),
      toIndexedMs: latency(indexed),
      toArchivedMs: latency(archived),
      stages: Object.fromEntries(
        [...stageTimes].map(([stage, times]) => [stage, { count: times.length, ...percentiles(times) }]),
      ),
      peakRssMB: peak,
    };
  } finally {
    await stack?.stop();
    rmSync(logsDir, { recursive: true, force: true });
  }
}

function helpersOverhead(): unknown {
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-')), 'helpers.json');
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'bench', 'helpers-overhead.ts'), '--out', out],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'INFO', AWS_LAMBDA_FUNCTION_NAME: 'bench' },
    },
  );
  if (child.status !== 0) throw new Error('helpers-overhead failed');
  const result = JSON.parse(readFileSync(out, 'utf8'));
  rmSync(path.dirname(out), { recursive: true, force: true });
  return result;
}

const fmt = (p: Percentiles) => `${p.p50} / ${p.p95} / ${p.p99}`;

async function main() {
  const jsonOut = process.argv.includes('--json')
    ? process.argv[process.argv.indexOf('--json') + 1]
    : undefined;
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  console.log(
    `bench:e2e: ${N} uploads (${CONCURRENCY} at a time, a mix of ${MIX.length} photos), ${os.cpus().length} cores, ${process.version}, load average before: ${load}\n`,
  );
  const noop = 'bench/noop-handler.ts';
  const emulator = await run('moto', { processor: noop, indexer: noop, archiver: noop });
  const pipeline = await run('pipeline', undefined);
  console.log(
    '| run | files/s | wall s | upload → indexed p50 / p95 / p99 ms | upload → archived p50 / p95 / p99 ms |',
  );
  console.log('|---|---|---|---|---|');
  for (const r of [pipeline, emulator])
    console.log(
      `| ${r.label === 'moto' ? 'moto alone (same S3/SNS calls, no-op handlers)' : 'pipeline'} | ${r.filesPerSecond} | ${r.wallSeconds} | ${fmt(r.toIndexedMs)} | ${fmt(r.toArchivedMs)} |`,
    );
  console.log(
    `| pipeline minus moto (p50) | | | ${pipeline.toIndexedMs.p50 - emulator.toIndexedMs.p50} | ${pipeline.toArchivedMs.p50 - emulator.toArchivedMs.p50} |`,
  );
  console.log(
    "\n| stage (services' durationMs, succeeded steps) | count | p50 / p95 / p99 ms | moto alone: none (no-op) |",
  );
  console.log('|---|---|---|---|');
  for (const [stage, s] of Object.entries(pipeline.stages))
    console.log(`| ${stage} | ${s.count} | ${fmt(s)} | |`);
  console.log('\n| peak RSS (VmHWM) MB | pipeline | moto alone |');
  console.log('|---|---|---|');
  for (const name of Object.keys(pipeline.peakRssMB))
    console.log(`| ${name} | ${pipeline.peakRssMB[name]} | ${emulator.peakRssMB[name]} |`);
  console.log('');
  const helpers = helpersOverhead();
  console.log(
    `\nload average after: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  if (jsonOut)
    writeFileSync(
      jsonOut,
      JSON.stringify({ n: N, concurrency: CONCURRENCY, load, pipeline, emulator, helpers }, null, 2),
    );
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
