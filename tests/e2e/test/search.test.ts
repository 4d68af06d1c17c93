import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { type LocalStack, startStack } from '@sluice/local';
import { indexDocumentKey, manifestKey } from '@sluice/runtime';
import { openSearchIndex, readSearchConfig, type SearchIndex } from '@sluice/search';
import sharp from 'sharp';
import { awsClients, eventually, fixture } from './support';

/*
 * Search through the local stack: files dropped into the ingest bucket are processed and indexed
 * by the real services; the test queries the index the way the ingest service's GET /search does
 * (SearchEngine over the same SQLite file, opened from the same environment).
 */

const ACME = 'acme';
const GLOBEX = 'globex';
let nextId = 0;
const newId = () => `5e000000-0000-4000-8000-${String(++nextId).padStart(12, '0')}`;

interface Upload {
  assetId: string;
  tenantId: string;
  fileName: string;
}

let stack: LocalStack;
let index: SearchIndex;
let s3: ReturnType<typeof awsClients>['s3'];
let buckets: { ingest: string; processed: string };

async function upload(
  tenantId: string,
  fileName: string,
  body: Buffer,
  contentType: string,
): Promise<Upload> {
  const assetId = newId();
  await s3.send(
    new PutObjectCommand({
      Bucket: buckets.ingest,
      Key: `uploads/${tenantId}/${assetId}/${fileName}`,
      Body: body,
      ContentType: contentType,
    }),
  );
  return { assetId, tenantId, fileName };
}

async function indexed(u: Upload) {
  return eventually(
    `${u.fileName} in the search index`,
    async () => (await index.store.get(u.tenantId, u.assetId)) ?? undefined,
    { timeoutMs: 90_000, intervalMs: 300 },
  );
}

const ids = (response: { results: { assetId: string }[] }) => response.results.map((r) => r.assetId);

let harbour: Upload;
let concert: Upload;
let landscape: Upload;
let bug: Upload;
let street: Upload;
let theirs: Upload;

beforeAll(async () => {
  stack = await startStack({
    stateFile: false,
    namePrefix: 'sluice-search-e2e',
    services: ['processor', 'indexer'],
    logLevel: 'INFO',
  });
  s3 = awsClients(stack.awsEndpoint).s3;
  buckets = {
    ingest: stack.resources.buckets.ingest as string,
    processed: stack.resources.buckets.processed as string,
  };
  // The same configuration the services get: the index file under this stack's SLUICE_DATA_DIR.
  index = openSearchIndex(readSearchConfig(stack.env('indexer')));
  harbour = await upload(
    ACME,
    'harbour-sunset.jpg',
    fixture('jpeg/baseline-photo-2725x2225.jpg'),
    'image/jpeg',
  );
  concert = await upload(ACME, 'concert-crowd.jpg', fixture('jpeg/grayscale.jpg'), 'image/jpeg');
  landscape = await upload(ACME, 'mountain-landscape.jpg', fixture('jpeg/iptc-xmp-icc.jpg'), 'image/jpeg');
  bug = await upload(ACME, 'black-bug.png', fixture('png/alpha-rgba.png'), 'image/png');
  street = await upload(ACME, 'street-corner.jpg', fixture('jpeg/gps-nikon.jpg'), 'image/jpeg');
  theirs = await upload(
    GLOBEX,
    'harbour-sunset.jpg',
    fixture('jpeg/baseline-photo-2725x2225.jpg'),
    'image/jpeg',
  );
  for (const u of [harbour, concert, landscape, bug, street, theirs]) await indexed(u);
}, 240_000);

afterAll(async () => {
  await index?.store.close();
  await stack?.stop();
});

describe('search through the local stack', () => {
  it('finds uploads by words of their file names, ranked, with scores', async () => {
    const response = await index.engine.search(ACME, { q: 'harbour' });
    expect(ids(response)).toEqual([harbour.assetId]);
    expect(response.ranking).toBe('text');
    expect(response.results[0]?.score).toBeGreaterThan(0);
    expect(response.index).toEqual({ backend: 'sqlite', model: 'sluice-local-features-v1', dimension: 324 });
    expect(ids(await index.engine.search(ACME, { q: 'land' }))).toEqual([landscape.assetId]);
    expect(ids(await index.engine.search(ACME, { q: 'harbour crowd' }))).toEqual([]);
  });

  it('filters by type, dimensions and shape', async () => {
    expect(ids(await index.engine.search(ACME, { mime: ['image/png'] }))).toEqual([bug.assetId]);
    const big = await index.engine.searchParams(ACME, { minWidth: '2500', kind: 'image' });
    expect(ids(big)).toEqual([harbour.assetId]);
    const all = await index.engine.search(ACME, { kind: ['image'], limit: 100 });
    expect(ids(all).sort()).toEqual([harbour, concert, landscape, bug, street].map((u) => u.assetId).sort());
    for (const result of all.results) expect(result.thumbnailKey).toMatch(/^renditions\//);
  });

  it('pages with a cursor: every asset once, and a cursor is only good for its own criteria', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await index.engine.search(ACME, {
        kind: ['image'],
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...ids(page));
      cursor = page.nextCursor;
      if (cursor) {
        await expect(index.engine.search(ACME, { kind: ['text'], cursor })).rejects.toMatchObject({
          code: 'invalid-cursor',
        });
      }
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });

  it('finds the original first for a resized, re-encoded copy of a photo', async () => {
    const copyBytes = await sharp(fixture('jpeg/baseline-photo-2725x2225.jpg'))
      .resize({ width: 900 })
      .jpeg({ quality: 60 })
      .toBuffer();
    const copy = await upload(ACME, 'IMG_0042.jpg', copyBytes, 'image/jpeg');
    await indexed(copy);
    const response = await index.engine.search(ACME, { similarTo: copy.assetId });
    expect(response.ranking).toBe('similarity');
    expect(ids(response)[0]).toBe(harbour.assetId);
    expect(ids(response)).not.toContain(copy.assetId);
    const [first, second] = response.results;
    expect(first?.score).toBeGreaterThan(0.8);
    expect(first?.score).toBeGreaterThan((second?.score ?? 0) + 0.05);
  });

  it('keeps tenants apart: no assets of another tenant, and no similarity to them', async () => {
    expect(ids(await index.engine.search(GLOBEX, { q: 'harbour' }))).toEqual([theirs.assetId]);
    expect(ids(await index.engine.search(GLOBEX, { limit: 100 }))).toEqual([theirs.assetId]);
    await expect(index.engine.search(GLOBEX, { similarTo: harbour.assetId })).rejects.toMatchObject({
      statusCode: 404,
      code: 'not-found',
    });
    expect(ids(await index.engine.search(ACME, { similarTo: harbour.assetId, limit: 100 }))).not.toContain(
      theirs.assetId,
    );
  });

  it('treats a replayed manifest as a no-op', async () => {
    const key = manifestKey(street.assetId);
    const manifest = await s3.send(new GetObjectCommand({ Bucket: buckets.processed, Key: key }));
    const body = Buffer.from(
      await (manifest.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    );
    const before = await index.store.get(ACME, street.assetId);
    const docBefore = await s3.send(
      new GetObjectCommand({ Bucket: buckets.processed, Key: indexDocumentKey(ACME, street.assetId) }),
    );
    // The same manifest written again: a new S3 event carrying nothing new.
    await s3.send(
      new PutObjectCommand({
        Bucket: buckets.processed,
        Key: key,
        Body: body,
        ContentType: 'application/json',
      }),
    );
    const log = path.join(stack.logsDir, 'indexer.log');
    await eventually('the indexer to skip the replay', async () => {
      const lines = readFileSync(log, 'utf8')
        .split('\n')
        .filter((line) => line.includes(street.assetId));
      return lines.some((line) => line.includes('Index document is as new as this manifest'))
        ? true
        : undefined;
    });
    expect(await index.store.get(ACME, street.assetId)).toEqual(before);
    const docAfter = await s3.send(
      new GetObjectCommand({ Bucket: buckets.processed, Key: indexDocumentKey(ACME, street.assetId) }),
    );
    expect(docAfter.ETag).toBe(docBefore.ETag);
  });

  it('drops an asset from the index when its manifest is deleted', async () => {
    await s3.send(new DeleteObjectCommand({ Bucket: buckets.processed, Key: manifestKey(concert.assetId) }));
    await eventually('the asset to leave the index', async () =>
      (await index.store.get(ACME, concert.assetId)) === null ? true : undefined,
    );
    expect(ids(await index.engine.search(ACME, { q: 'concert' }))).toEqual([]);
  });
});
