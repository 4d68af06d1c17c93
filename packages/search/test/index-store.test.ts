import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { IndexStore, StoreQuery } from '../src';
import { IndexMismatchError, MemoryIndexStore, parseTextQuery } from '../src';
import { SqliteIndexStore } from '../src/stores/sqlite-index-store';
import { doc, vec } from './support';

const EMBEDDING = { model: 'test-model', dimension: 8 };

const query = (overrides: Partial<StoreQuery>): StoreQuery => ({
  tenantId: 'acme',
  ranking: 'recent',
  filters: {},
  limit: 10,
  ...overrides,
});

const backends: [string, () => IndexStore][] = [
  ['sqlite', () => new SqliteIndexStore({ file: ':memory:', embedding: EMBEDDING })],
  ['memory', () => new MemoryIndexStore(EMBEDDING)],
];

describe.each(backends)('%s index store', (_name, open) => {
  let store: IndexStore;
  beforeEach(() => {
    store = open();
  });
  afterEach(() => store.close());

  it('orders writes by sequencer then processedAt: replays are unchanged, older ones stale', async () => {
    const d = doc({ sourceSequencer: '0B' });
    await expect(store.upsert(d, vec(0))).resolves.toBe('written');
    await expect(store.upsert({ ...d, fileName: 'replay.jpg' }, vec(0))).resolves.toBe('unchanged');
    await expect(store.upsert({ ...d, sourceSequencer: '0A', fileName: 'old.jpg' }, vec(0))).resolves.toBe(
      'stale',
    );
    await expect(
      store.upsert({ ...d, processedAt: '2026-03-01T00:00:00.000Z', fileName: 'reprocessed.jpg' }, vec(1)),
    ).resolves.toBe('written');
    // A longer sequencer is a later one (compared as numbers, not as text).
    await expect(store.upsert({ ...d, sourceSequencer: '100', fileName: 'newer.jpg' }, vec(2))).resolves.toBe(
      'written',
    );
    expect((await store.get('acme', d.assetId))?.fileName).toBe('newer.jpg');
    expect(Array.from((await store.getVector('acme', d.assetId)) ?? [])).toEqual(Array.from(vec(2)));
  });

  it('keeps tenants apart in get, getVector, count and search', async () => {
    const mine = doc({ fileName: 'sunset.jpg' });
    const theirs = doc({ tenantId: 'globex', fileName: 'sunset.jpg' });
    await store.upsert(mine, vec(0));
    await store.upsert(theirs, vec(0));
    expect(await store.get('acme', theirs.assetId)).toBeNull();
    expect(await store.getVector('acme', theirs.assetId)).toBeNull();
    expect([await store.count('acme'), await store.count()]).toEqual([1, 2]);
    for (const ranking of ['recent', 'text', 'similarity'] as const) {
      const page = await store.search(
        query({
          ranking,
          text: parseTextQuery('sunset'),
          ...(ranking === 'similarity' ? { vector: vec(0) } : {}),
        }),
      );
      expect(page.hits.map((h) => h.document.assetId)).toEqual([mine.assetId]);
    }
  });

  it('removes a document and reports whose it was', async () => {
    const d = doc({ fileName: 'gone.jpg' });
    await store.upsert(d, vec(0));
    await expect(store.remove(d.assetId)).resolves.toEqual({ tenantId: 'acme' });
    await expect(store.remove(d.assetId)).resolves.toBeNull();
    expect(await store.get('acme', d.assetId)).toBeNull();
    expect((await store.search(query({ ranking: 'text', text: parseTextQuery('gone') }))).hits).toEqual([]);
    expect((await store.search(query({ ranking: 'similarity', vector: vec(0) }))).hits).toEqual([]);
  });

  it('ranks text matches: file name above body, every word required, prefixes and phrases', async () => {
    const inName = doc({ fileName: 'harbour-sunset.jpg' });
    const inBody = doc({
      fileName: 'notes.txt',
      kind: 'text',
      mime: 'text/plain',
      text: 'we watched the sunset from the harbour wall',
    });
    const onlyOne = doc({ fileName: 'sunset-only.jpg' });
    for (const d of [inName, inBody, onlyOne]) await store.upsert(d, vec(0));
    const both = await store.search(query({ ranking: 'text', text: parseTextQuery('sunset harb') }));
    expect(both.hits.map((h) => h.document.assetId)).toEqual([inName.assetId, inBody.assetId]);
    expect(both.hits[0]?.score).toBeGreaterThan(both.hits[1]?.score as number);
    const phrase = await store.search(query({ ranking: 'text', text: parseTextQuery('"harbour wall"') }));
    expect(phrase.hits.map((h) => h.document.assetId)).toEqual([inBody.assetId]);
    const accents = await store.search(query({ ranking: 'text', text: parseTextQuery('SÚNSET') }));
    expect(accents.hits).toHaveLength(3);
  });

  it('applies every filter', async () => {
    const wide = doc({
      width: 1600,
      height: 900,
      dominantColor: '#1e90ff',
      takenAt: '2024-06-14T19:02:11+02:00',
    });
    const tall = doc({ width: 600, height: 1200, dominantColor: '#ff4500', takenAt: '2024-07-01T08:00:00' });
    const square = doc({ width: 500, height: 500, mime: 'image/png' });
    const pdf = doc({ kind: 'document', mime: 'application/pdf', width: undefined, height: undefined });
    for (const d of [wide, tall, square, pdf]) await store.upsert(d, vec(0));
    const ids = async (filters: StoreQuery['filters']) =>
      (await store.search(query({ filters }))).hits.map((h) => h.document.assetId).sort();
    expect(await ids({ kind: ['document'] })).toEqual([pdf.assetId]);
    expect(await ids({ mime: ['image/'] })).toEqual([wide.assetId, tall.assetId, square.assetId].sort());
    expect(await ids({ mime: ['image/png', 'application/pdf'] })).toEqual(
      [square.assetId, pdf.assetId].sort(),
    );
    expect(await ids({ minWidth: 1000 })).toEqual([wide.assetId]);
    expect(await ids({ maxHeight: 900 })).toEqual([wide.assetId, square.assetId].sort());
    expect(await ids({ orientation: 'portrait' })).toEqual([tall.assetId]);
    expect(await ids({ orientation: 'square' })).toEqual([square.assetId]);
    expect(await ids({ color: { rgb: [30, 140, 250], tolerance: 30 } })).toEqual([wide.assetId]);
    expect(await ids({ takenFrom: '2024-06-01', takenTo: '2024-06-14T\uffff' })).toEqual([wide.assetId]);
    expect(await ids({ takenFrom: '2024-06-20' })).toEqual([tall.assetId]);
    expect(await ids({ createdFrom: '2099-01-01' })).toEqual([]);
  });

  it('ranks by cosine similarity, leaves out the asset compared with, and pages without repeats', async () => {
    const docs = Array.from({ length: 25 }, (_, i) => doc({ fileName: `p${i}.jpg` }));
    for (const [i, d] of docs.entries()) await store.upsert(d, vec(0, i / 10));
    const first = await store.search(
      query({ ranking: 'similarity', vector: vec(0), excludeAssetId: docs[0]?.assetId, limit: 10 }),
    );
    expect(first.hits.map((h) => h.document.fileName)).toEqual([
      'p1.jpg',
      'p2.jpg',
      'p3.jpg',
      'p4.jpg',
      'p5.jpg',
      'p6.jpg',
      'p7.jpg',
      'p8.jpg',
      'p9.jpg',
      'p10.jpg',
    ]);
    expect(first.hits[0]?.score).toBeCloseTo(1 / Math.hypot(1, 0.1), 5);
    const seen = first.hits.map((h) => h.document.assetId);
    let page = first;
    while (page.hasMore) {
      const last = page.hits.at(-1);
      if (!last) break;
      page = await store.search(
        query({
          ranking: 'similarity',
          vector: vec(0),
          excludeAssetId: docs[0]?.assetId,
          limit: 10,
          after: { sort: last.sort, assetId: last.document.assetId },
        }),
      );
      seen.push(...page.hits.map((h) => h.document.assetId));
    }
    expect(seen).toHaveLength(24);
    expect(new Set(seen).size).toBe(24);
  });

  it('pages the newest first with a stable keyset, ties broken by asset id', async () => {
    const docs = Array.from({ length: 7 }, () => doc({ createdAt: '2026-01-01T00:00:00.000Z' }));
    for (const d of docs) await store.upsert(d, null);
    const seen: string[] = [];
    let after: StoreQuery['after'];
    for (;;) {
      const page = await store.search(query({ limit: 3, after }));
      seen.push(...page.hits.map((h) => h.document.assetId));
      const last = page.hits.at(-1);
      if (!page.hasMore || !last) break;
      after = { sort: last.sort, assetId: last.document.assetId };
    }
    expect(seen).toEqual(docs.map((d) => d.assetId).sort());
  });
});

describe('SqliteIndexStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sluice-search-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses an index built with another model, and rebuilds it on request', async () => {
    const file = path.join(dir, 'index.db');
    const first = new SqliteIndexStore({ file, embedding: EMBEDDING });
    await first.upsert(doc(), vec(0));
    await first.close();
    expect(() => new SqliteIndexStore({ file, embedding: { model: 'other', dimension: 8 } })).toThrow(
      IndexMismatchError,
    );
    expect(() => new SqliteIndexStore({ file, embedding: { model: 'test-model', dimension: 16 } })).toThrow(
      /built with test-model \(8 dimensions\).*--recreate/,
    );
    const rebuilt = new SqliteIndexStore({
      file,
      embedding: { model: 'other', dimension: 16 },
      recreate: true,
    });
    expect(await rebuilt.count()).toBe(0);
    await expect(rebuilt.upsert(doc(), vec(0))).rejects.toThrow(IndexMismatchError);
    await rebuilt.close();
  });

  it('lets a second connection (another process) read what the first writes, in WAL mode', async () => {
    const file = path.join(dir, 'index.db');
    const writer = new SqliteIndexStore({ file, embedding: EMBEDDING });
    const reader = new SqliteIndexStore({ file, embedding: EMBEDDING });
    const d = doc({ fileName: 'shared.jpg' });
    await writer.upsert(d, vec(3));
    expect(
      (await reader.search(query({ ranking: 'text', text: parseTextQuery('shared') }))).hits,
    ).toHaveLength(1);
    await writer.close();
    await reader.close();
  });

  it('switches to k-nearest-neighbour search past 2000 candidates and still honours filters', async () => {
    const store = new SqliteIndexStore({ file: ':memory:', embedding: EMBEDDING });
    const docs = Array.from({ length: 2100 }, (_, i) => doc({ kind: i % 2 ? 'image' : 'document' }));
    for (const [i, d] of docs.entries()) await store.upsert(d, vec(i % 8, (i % 97) / 100));
    const page = await store.search(
      query({ ranking: 'similarity', vector: vec(2), filters: { kind: ['image'] }, limit: 5 }),
    );
    expect(page.hits).toHaveLength(5);
    expect(page.hasMore).toBe(true);
    for (const hit of page.hits) expect(hit.document.kind).toBe('image');
    // The best matches point along axis 2 with the least tilt: i % 8 == 2 and i odd is impossible,
    // so the nearest images are those on axis 1 tilted towards 2, or on axis 2... check by brute force.
    const memory = new MemoryIndexStore(EMBEDDING);
    for (const [i, d] of docs.entries()) await memory.upsert(d, vec(i % 8, (i % 97) / 100));
    const expected = await memory.search(
      query({ ranking: 'similarity', vector: vec(2), filters: { kind: ['image'] }, limit: 5 }),
    );
    expect(page.hits.map((h) => h.score?.toFixed(5))).toEqual(expected.hits.map((h) => h.score?.toFixed(5)));
    await store.close();
  });
});
