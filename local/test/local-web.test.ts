import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { type HttpApiServer, startHttpApi } from '../src/http-api';
import { createLocalWebHandler } from '../src/local-web';
import { aggregate, PipelineLogTailer, parsePipelineLine } from '../src/log-metrics';
import { handler } from './fixtures/handlers/echo-http';
import { tempDir } from './helpers';

const ASSET_A = '5a784a27-8385-4c63-a406-58f738a3f900';
const ASSET_B = '6b784a27-8385-4c63-a406-58f738a3f901';

const logLine = (fields: Record<string, unknown>) =>
  `${JSON.stringify({ level: 'INFO', message: 'step', ...fields })}\n`;

describe('pipeline log metrics', () => {
  it('reads only pipeline lines: service, stage, outcome and a timestamp', () => {
    expect(parsePipelineLine('--- starting processor ---')).toBeUndefined();
    expect(
      parsePipelineLine('{"level":"INFO","message":"Polling","service":"sluice-local"}'),
    ).toBeUndefined();
    expect(
      parsePipelineLine(
        JSON.stringify({
          service: 'processor',
          stage: 'process',
          outcome: 'rejected',
          reason: 'pixel-limit',
          timestamp: '2026-12-04T20:00:00.000Z',
          assetId: ASSET_A,
          durationMs: 12.5,
        }),
      ),
    ).toEqual({
      time: Date.parse('2026-12-04T20:00:00.000Z'),
      service: 'processor',
      stage: 'process',
      outcome: 'rejected',
      reason: 'pixel-limit',
      assetId: ASSET_A,
      durationMs: 12.5,
      message: undefined,
    });
  });

  it('aggregates throughput per bucket, latency percentiles per stage and failures by reason', () => {
    const t0 = Date.parse('2026-12-04T20:00:00.000Z');
    const entries = [
      ...[10, 20, 30, 40, 100].map((durationMs, i) => ({
        time: t0 + i * 1000,
        service: 'processor',
        stage: 'process',
        outcome: 'succeeded',
        assetId: `${ASSET_A.slice(0, -1)}${i}`,
        durationMs,
      })),
      {
        time: t0 + 61_000,
        service: 'indexer',
        stage: 'index',
        outcome: 'succeeded',
        assetId: ASSET_A,
        durationMs: 5,
      },
      {
        time: t0 + 62_000,
        service: 'processor',
        stage: 'process',
        outcome: 'rejected',
        reason: 'pixel-limit',
        assetId: ASSET_B,
      },
      {
        time: t0 + 63_000,
        service: 'processor',
        stage: 'process',
        outcome: 'rejected',
        reason: 'pixel-limit',
      },
      { time: t0 + 64_000, service: 'archiver', stage: 'archive', outcome: 'failed' },
      {
        time: t0 - 3 * 3_600_000,
        service: 'processor',
        stage: 'process',
        outcome: 'succeeded',
        durationMs: 1,
      },
    ];
    const snapshot = aggregate(entries, { now: t0 + 65_000, windowMinutes: 5, bucketSeconds: 60 });
    expect(snapshot.totals).toEqual({
      entries: 9,
      assets: 6,
      outcomes: { succeeded: 6, rejected: 2, failed: 1 },
    });
    const process = snapshot.stages.find((s) => s.stage === 'process');
    expect(process).toMatchObject({
      service: 'processor',
      count: 7,
      outcomes: { succeeded: 5, rejected: 2 },
      p50Ms: 30,
      p95Ms: 100,
      maxMs: 100,
    });
    expect(snapshot.failures).toEqual([
      { reason: 'pixel-limit', stage: 'process', outcome: 'rejected', count: 2 },
      { reason: 'error', stage: 'archive', outcome: 'failed', count: 1 },
    ]);
    expect(snapshot.throughput.buckets).toHaveLength(5);
    expect(snapshot.throughput.series.process?.slice(-2)).toEqual([5, 0]);
    expect(snapshot.throughput.series.index?.slice(-2)).toEqual([0, 1]);
    expect(snapshot.recent[0]).toMatchObject({ stage: 'archive', outcome: 'failed' });
  });

  it('tails log files: only what was appended is read, a recreated file is read anew', () => {
    const { dir, remove } = tempDir('tail');
    const file = path.join(dir, 'processor.log');
    const at = '2026-12-04T20:00:00.000Z';
    writeFileSync(
      file,
      logLine({ service: 'processor', stage: 'process', outcome: 'succeeded', timestamp: at }),
    );
    writeFileSync(
      path.join(dir, 'moto.log'),
      logLine({ service: 'x', stage: 'y', outcome: 'z', timestamp: at }),
    );
    const tailer = new PipelineLogTailer(dir);
    expect(tailer.entries()).toHaveLength(1);
    // Half a line, then its end: counted once it is whole.
    const next = logLine({ service: 'processor', stage: 'process', outcome: 'rejected', timestamp: at });
    appendFileSync(file, next.slice(0, 20));
    expect(tailer.entries()).toHaveLength(1);
    appendFileSync(file, next.slice(20));
    expect(tailer.entries().map((e) => e.outcome)).toEqual(['succeeded', 'rejected']);
    writeFileSync(
      file,
      logLine({ service: 'processor', stage: 'process', outcome: 'failed', timestamp: at }),
    );
    expect(tailer.entries().map((e) => e.outcome)).toEqual(['failed']);
    remove();
  });
});

describe('the web page and /local/* beside the HTTP API', () => {
  let api: HttpApiServer;
  const { dir, remove } = tempDir('web');
  const webRoot = path.join(dir, 'dist');
  const logsDir = path.join(dir, 'logs');

  beforeAll(async () => {
    mkdirSync(path.join(webRoot, 'static'), { recursive: true });
    writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><title>Sluice</title>');
    writeFileSync(path.join(webRoot, 'static', 'app-1234.js'), 'console.log(1)');
    writeFileSync(path.join(dir, 'secret.txt'), 'outside the web root');
    mkdirSync(logsDir);
    writeFileSync(
      path.join(logsDir, 'processor.log'),
      logLine({
        service: 'processor',
        stage: 'process',
        outcome: 'succeeded',
        timestamp: new Date().toISOString(),
        durationMs: 42,
        assetId: ASSET_A,
      }),
    );
    const sqs = {
      send: async (command: { input: { QueueUrl: string } }) => ({
        Attributes: command.input.QueueUrl.endsWith('-dlq')
          ? {
              ApproximateNumberOfMessages: '2',
              ApproximateNumberOfMessagesNotVisible: '0',
              ApproximateNumberOfMessagesDelayed: '0',
            }
          : {
              ApproximateNumberOfMessages: '5',
              ApproximateNumberOfMessagesNotVisible: '1',
              ApproximateNumberOfMessagesDelayed: '0',
            },
      }),
    } as unknown as SQSClient;
    api = await startHttpApi({
      functionName: 'echo',
      handler,
      routes: ['GET /assets/{id}'],
      authorizer: false,
      logger: () => {},
      intercept: createLocalWebHandler(
        {
          webRoot,
          logsDir,
          queues: {
            'processor-queue': 'http://q/processor-queue',
            'processor-dlq': 'http://q/processor-dlq',
          },
          deadLetterQueues: ['processor-dlq'],
          devToken: 'dev.token.here',
          tenantId: 'dev',
        },
        sqs,
      ),
    });
  });
  afterAll(async () => {
    await api.close();
    remove();
  });

  it('serves the page at / and its hashed files long-cached, the API routes untouched', async () => {
    const page = await fetch(`${api.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(await page.text()).toContain('<title>Sluice</title>');
    const script = await fetch(`${api.url}/static/app-1234.js`);
    expect(script.headers.get('cache-control')).toContain('immutable');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const asset = await fetch(`${api.url}/assets/${ASSET_A}`);
    expect(asset.status).toBe(200);
    expect(((await asset.json()) as { routeKey: string }).routeKey).toBe('GET /assets/{id}');
  });

  it('never serves files outside the web root', async () => {
    for (const attempt of ['/../secret.txt', '/%2e%2e/secret.txt', '/static/..%2f..%2fsecret.txt']) {
      const response = await fetch(`${api.url}${attempt}`);
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain('outside the web root');
    }
  });

  it('answers /local/metrics with the log aggregates and queue and DLQ depths', async () => {
    const response = await fetch(`${api.url}/local/metrics?windowMinutes=10`);
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const body = (await response.json()) as Record<string, unknown> & {
      stages: { stage: string; p50Ms: number }[];
    };
    expect(body.source).toBe('local-logs');
    expect(body.stages).toEqual([expect.objectContaining({ stage: 'process', p50Ms: 42 })]);
    expect(body.queues).toEqual([
      { name: 'processor-dlq', kind: 'dlq', visible: 2, inFlight: 0, delayed: 0 },
      { name: 'processor-queue', kind: 'queue', visible: 5, inFlight: 1, delayed: 0 },
    ]);
  });

  it('gives the page its dev token, without CORS headers, so no other site can read it', async () => {
    const response = await fetch(`${api.url}/local/dev-token`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(await response.json()).toEqual({ token: 'dev.token.here', tenantId: 'dev', expiresAt: null });
    expect((await fetch(`${api.url}/local/nothing`)).status).toBe(404);
  });
});
