/**
 * Delivery against bare sharp, doing the same transform, side by side in one run:
 * `npm run bench:delivery` (root) or `npm run bench -w @sluice/delivery`.
 *
 *   cold    signed ad-hoc URLs, each a new variant: through the local delivery function URL (the
 *           function host, response streaming), reading the manifest and the original from the
 *           emulated S3 (moto), rendering with the processor's transform core, storing the variant
 *           (create-only PUT) and streaming it back
 *   warm    the same URLs again: served from the processed bucket as stored, streamed
 *   sharp   bare sharp in this process on the original already in memory: auto-orient, resize,
 *           WebP with the same encoder settings (quality 80, effort 4); no storage, no HTTP
 *
 * Each side: latency p50/p95 one request at a time, then throughput with CONCURRENCY in flight (the
 * machine's cores). Only the delivery service runs in the stack. SLUICE_BENCH_COLD (default 40) and
 * SLUICE_BENCH_WARM (default 200) set the request counts.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { assertValid, topology } from '@sluice/contracts';
import { type LocalStack, startStack, type TopologyLike } from '@sluice/local';
import sharp from 'sharp';

const FIXTURE = 'jpeg/baseline-photo-2725x2225.jpg';
const COLD = Number(process.env.SLUICE_BENCH_COLD ?? 40);
const WARM = Number(process.env.SLUICE_BENCH_WARM ?? 200);
const CONCURRENCY = Math.max(1, cpus().length);
const KEY = randomBytes(32);
const KID = 'bench';

const input = readFileSync(resolve(__dirname, '../../../../shared/fixtures', FIXTURE));

/** The widths of one pass: each a distinct variant, around a typical page image. */
function widths(count: number, offset: number): number[] {
  return Array.from({ length: count }, (_, i) => 600 + offset + i);
}

function signedPath(assetId: string, width: number): string {
  const exp = String(Math.floor(Date.now() / 1000) + 3600);
  const canonical = `exp=${exp}&format=webp&kid=${KID}&w=${width}`;
  const path = `/v/${assetId}`;
  const sig = createHmac('sha256', KEY)
    .update(`SLUICE-HMAC-SHA256\n${path}\n${canonical}`)
    .digest('base64url');
  return `${path}?${canonical}&sig=${sig}`;
}

function get(url: string): Promise<{ status: number; variant: string; bytes: number }> {
  return new Promise((resolvePromise, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.on('end', () =>
        resolvePromise({
          status: res.statusCode ?? 0,
          variant: String(res.headers['x-sluice-variant']),
          bytes,
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function bareSharp(width: number): Promise<Buffer> {
  return sharp(input, { failOn: 'error', limitInputPixels: 100_000_000 })
    .autoOrient()
    .resize({ width, fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80, effort: 4 })
    .toBuffer();
}

interface Stats {
  p50: number;
  p95: number;
  perSecond: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Latency one at a time over `sequential`, then throughput with CONCURRENCY in flight over `parallel`. */
async function measure(
  sequential: number[],
  parallel: number[],
  run: (width: number) => Promise<unknown>,
): Promise<Stats> {
  const latencies: number[] = [];
  for (const width of sequential) {
    const started = performance.now();
    await run(width);
    latencies.push(performance.now() - started);
  }
  latencies.sort((a, b) => a - b);
  const queue = [...parallel];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let width = queue.shift(); width !== undefined; width = queue.shift()) await run(width);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    perSecond: parallel.length / seconds,
  };
}

function benchTopology(): TopologyLike {
  const delivery = topology.services.delivery;
  if (!delivery) throw new Error('The topology has no delivery service');
  const { DELIVERY_SIGNING_KEYS_SECRET_ID: _secret, ...environment } = delivery.environment;
  const keys = JSON.stringify({ current: KID, keys: { [KID]: KEY.toString('base64url') } });
  return {
    ...topology,
    services: {
      delivery: {
        ...delivery,
        environment: { ...environment, DELIVERY_SIGNING_KEYS: { value: keys } },
      },
    },
  };
}

async function seed(stack: LocalStack): Promise<string> {
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: stack.awsEndpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const assetId = randomUUID();
  const key = `uploads/bench/${assetId}/photo.jpg`;
  const buckets = stack.resources.buckets as Record<string, string>;
  const put = await s3.send(
    new PutObjectCommand({ Bucket: buckets.ingest, Key: key, Body: input, ContentType: 'image/jpeg' }),
  );
  const meta = await sharp(input).metadata();
  const manifest = assertValid('asset-manifest/v1', {
    assetId,
    tenantId: 'bench',
    source: {
      bucket: buckets.ingest,
      key,
      size: input.length,
      eTag: (put.ETag ?? '').replace(/"/g, ''),
      sequencer: '0000000000000000AA',
      fileName: 'photo.jpg',
    },
    sha256: '0'.repeat(64),
    detected: { mime: 'image/jpeg', kind: 'image', ext: 'jpg', mismatch: false },
    renditions: [],
    processedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    processorVersion: 'bench',
    image: {
      width: meta.width,
      height: meta.height,
      format: 'jpeg',
      frames: 1,
      colorSpace: 'srgb',
      hasAlpha: false,
      orientation: 1,
      animated: false,
    },
  });
  await s3.send(
    new PutObjectCommand({
      Bucket: buckets.processed,
      Key: `manifests/${assetId}.json`,
      Body: JSON.stringify(manifest),
      ContentType: 'application/json',
    }),
  );
  s3.destroy();
  return assetId;
}

const row = (name: string, s: Stats) =>
  `${name.padEnd(8)} ${s.p50.toFixed(1).padStart(8)} ${s.p95.toFixed(1).padStart(8)} ${s.perSecond.toFixed(1).padStart(8)}`;

async function main(): Promise<void> {
  console.log(
    `delivery bench: ${FIXTURE} (${input.length} bytes) -> WebP ~600-${600 + 2 * COLD} px wide; ` +
      `${COLD} + ${COLD} cold, ${WARM} + ${WARM} warm, concurrency ${CONCURRENCY}, node ${process.version}`,
  );
  const stack = await startStack({
    stateFile: false,
    namePrefix: `sluice-bench-delivery-${process.pid}`,
    services: ['delivery'],
    topology: benchTopology(),
    webRoot: false,
    logLevel: 'WARN',
  });
  try {
    const base = stack.functionUrls.delivery as string;
    const assetId = await seed(stack);
    const check = (expected: string) => async (width: number) => {
      const answer = await get(`${base}${signedPath(assetId, width)}`);
      if (answer.status !== 200 || answer.variant !== expected) {
        throw new Error(`w=${width}: ${answer.status} ${answer.variant}, expected 200 ${expected}`);
      }
      return answer.bytes;
    };
    // One request first so the function host's first-request costs (sharp warm-up) are not counted.
    await check('rendered')(599);

    const coldSequential = widths(COLD, 0);
    const coldParallel = widths(COLD, COLD);
    const cold = await measure(coldSequential, coldParallel, check('rendered'));
    const all = [...coldSequential, ...coldParallel];
    const warmSet = Array.from({ length: WARM }, (_, i) => all[i % all.length] as number);
    const warm = await measure(warmSet, warmSet, check('stored'));
    await bareSharp(599);
    const bare = await measure(coldSequential, coldParallel, bareSharp);

    console.log(`\nside     p50 (ms) p95 (ms)    req/s`);
    console.log(row('cold', cold));
    console.log(row('warm', warm));
    console.log(row('sharp', bare));
    console.log(
      `\ncold / sharp: latency p50 x${(cold.p50 / bare.p50).toFixed(2)}, throughput ${((cold.perSecond / bare.perSecond) * 100).toFixed(0)}%` +
        `; warm / cold throughput x${(warm.perSecond / cold.perSecond).toFixed(1)}`,
    );
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
