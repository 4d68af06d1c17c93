/**
 * npm run bench:indexer [-- --sizes 10000,100000 --queries 50]
 *
 * Indexes synthetic documents (324-dimension vectors in clusters, names from a vocabulary, mixed
 * kinds, sizes and colors) into the SQLite index (a file on disk, WAL) and into the in-memory scan
 * baseline, then runs text, filter and similar-to queries against both: documents per second and
 * query p50/p95 in milliseconds. Not part of npm test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { IndexDocument } from '@sluice/contracts';
import {
  type IndexStore,
  LOCAL_FEATURES_MODEL,
  MemoryIndexStore,
  normalize,
  parseTextQuery,
  SqliteIndexStore,
  type StoreQuery,
} from '../src';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const SIZES = arg('sizes', '10000,100000').split(',').map(Number);
const QUERIES = Number(arg('queries', '50'));
const DIM = LOCAL_FEATURES_MODEL.dimension;
const TENANTS = ['acme', 'globex', 'initech', 'umbrella'];
const WORDS =
  'sunset harbour beach mountain forest city street portrait family holiday invoice report contract receipt cat dog bird flower river lake snow desert bridge tower market concert wedding garden night morning'.split(
    ' ',
  );

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function makeData(n: number) {
  const random = rng(n);
  const centers = Array.from({ length: 64 }, () => Float32Array.from({ length: DIM }, () => random() - 0.5));
  const docs: IndexDocument[] = [];
  const vectors: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    const center = centers[Math.floor(random() * centers.length)] as Float32Array;
    vectors.push(normalize(Float32Array.from(center, (x) => x + (random() - 0.5) * 0.6)));
    const words = Array.from({ length: 3 }, () => WORDS[Math.floor(random() * WORDS.length)]);
    const kind = random() < 0.8 ? 'image' : 'document';
    const hex = () =>
      Math.floor(random() * 256)
        .toString(16)
        .padStart(2, '0');
    docs.push({
      assetId: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
      tenantId: TENANTS[i % TENANTS.length] as string,
      fileName: `${words.join('-')}-${i}.${kind === 'image' ? 'jpg' : 'pdf'}`,
      mime: kind === 'image' ? 'image/jpeg' : 'application/pdf',
      kind,
      ...(kind === 'image'
        ? {
            width: 400 + Math.floor(random() * 5600),
            height: 300 + Math.floor(random() * 4000),
            dominantColor: `#${hex()}${hex()}${hex()}`,
          }
        : {}),
      tags: [],
      ...(kind === 'document' ? { text: `${words.join(' ')} ${WORDS.slice(0, 8).join(' ')}` } : {}),
      createdAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
      updatedAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
      sourceSequencer: i.toString(16).toUpperCase().padStart(8, '0'),
      processedAt: '2026-01-01T00:00:00.000Z',
    });
  }
  return { docs, vectors, random };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

async function measure(
  store: IndexStore,
  queries: StoreQuery[],
): Promise<{ p50: number; p95: number; hits: number }> {
  const times: number[] = [];
  let hits = 0;
  for (const query of queries) {
    const started = performance.now();
    hits += (await store.search(query)).hits.length;
    times.push(performance.now() - started);
  }
  return { p50: percentile(times, 0.5), p95: percentile(times, 0.95), hits };
}

async function run(n: number): Promise<void> {
  const { docs, vectors, random } = makeData(n);
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-bench-'));
  const stores: [string, IndexStore][] = [
    [
      'sqlite (FTS5 + sqlite-vec, file, WAL)',
      new SqliteIndexStore({ file: path.join(dir, 'index.db'), embedding: LOCAL_FEATURES_MODEL }),
    ],
    ['in-memory scan (baseline)', new MemoryIndexStore(LOCAL_FEATURES_MODEL)],
  ];
  const pick = () => Math.floor(random() * n);
  const text: StoreQuery[] = [];
  const filter: StoreQuery[] = [];
  const similar: StoreQuery[] = [];
  for (let q = 0; q < QUERIES; q++) {
    const tenantId = TENANTS[q % TENANTS.length] as string;
    text.push({
      tenantId,
      ranking: 'text',
      text: parseTextQuery(`${WORDS[q % WORDS.length]} ${WORDS[(q * 7 + 3) % WORDS.length]}`),
      filters: {},
      limit: 20,
    });
    filter.push({
      tenantId,
      ranking: 'recent',
      filters: {
        kind: ['image'],
        minWidth: 3000,
        orientation: 'landscape',
        color: { rgb: [200, 80, 40], tolerance: 90 },
      },
      limit: 20,
    });
    let target = pick();
    while ((docs[target] as IndexDocument).tenantId !== tenantId) target = (target + 1) % n;
    similar.push({
      tenantId,
      ranking: 'similarity',
      vector: vectors[target],
      excludeAssetId: docs[target]?.assetId,
      filters: {},
      limit: 20,
    });
  }
  console.log(
    `\n${n.toLocaleString('en-US')} documents (${TENANTS.length} tenants, ${DIM} dimensions), ${QUERIES} queries of each kind`,
  );
  console.log('| store | index docs/s | text p50 / p95 ms | filter p50 / p95 ms | similar p50 / p95 ms |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [name, store] of stores) {
    const started = performance.now();
    for (let i = 0; i < n; i++) await store.upsert(docs[i] as IndexDocument, vectors[i] as Float32Array);
    const rate = n / ((performance.now() - started) / 1000);
    const t = await measure(store, text);
    const f = await measure(store, filter);
    const s = await measure(store, similar);
    const fmt = (m: { p50: number; p95: number }) => `${m.p50.toFixed(2)} / ${m.p95.toFixed(2)}`;
    console.log(
      `| ${name} | ${Math.round(rate).toLocaleString('en-US')} | ${fmt(t)} | ${fmt(f)} | ${fmt(s)} |`,
    );
    await store.close();
  }
  rmSync(dir, { recursive: true, force: true });
}

(async () => {
  for (const n of SIZES) await run(n);
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
