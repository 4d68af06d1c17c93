import type { AssetManifest } from '@sluice/contracts';
import { createLogger, indexDocumentKey, manifestKey, type S3ObjectEvent } from '@sluice/runtime';
import { InMemoryObjectStore, RecordingPublisher } from '@sluice/runtime/testing';
import { LocalFeatureEmbedder } from '@sluice/search';
import { MemoryIndexStore } from '@sluice/search/testing';
import { S3DocumentStore } from '../src/adapters/s3-document-store';
import { indexManifest } from '../src/app/index-manifest';
import { removeManifest } from '../src/app/remove-manifest';

const PROCESSED = 'processed';
const assetId = '0b6a7c1e-2f4d-4e8a-9c3b-5d6e7f8a9b0c';

function manifest(
  sequencer: string,
  fileName = 'cat.jpg',
  processedAt = '2026-01-01T00:00:00.000Z',
): AssetManifest {
  return {
    assetId,
    tenantId: 'acme',
    source: {
      bucket: 'ingest',
      key: `uploads/acme/${assetId}/${fileName}`,
      size: 10,
      eTag: '"e"',
      sequencer,
      fileName,
    },
    sha256: 'a'.repeat(64),
    detected: { mime: 'image/jpeg', kind: 'image', mismatch: false },
    renditions: [],
    processedAt,
    processorVersion: 'test',
    image: {
      width: 640,
      height: 480,
      format: 'jpeg',
      frames: 1,
      colorSpace: 'srgb',
      hasAlpha: false,
      orientation: 1,
      animated: false,
    },
  };
}

function setup() {
  const objects = new InMemoryObjectStore();
  const store = new S3DocumentStore(objects, PROCESSED);
  const embedder = new LocalFeatureEmbedder();
  const search = new MemoryIndexStore(embedder);
  const events = new RecordingPublisher();
  const logger = createLogger('indexer-test');
  logger.setLogLevel('SILENT');
  let clock = Date.parse('2026-02-01T00:00:00.000Z');
  const now = () => {
    clock += 1000;
    return new Date(clock);
  };
  const deps = {
    objects,
    processedBucket: PROCESSED,
    documents: store,
    search,
    embedder,
    events,
    logger,
    now,
  };
  const event: S3ObjectEvent = {
    eventName: 'ObjectCreated:Put',
    eventTime: '2026-01-01T00:00:00.000Z',
    bucket: PROCESSED,
    key: manifestKey(assetId),
    sequencer: '01',
  };
  const writeManifest = (m: AssetManifest) =>
    objects.seed(PROCESSED, manifestKey(assetId), JSON.stringify(m));
  return { objects, store, search, events, deps, event, writeManifest };
}

describe('indexManifest', () => {
  it('writes a valid index document and announces it', async () => {
    const { store, events, deps, event, writeManifest } = setup();
    writeManifest(manifest('0A'));
    await expect(indexManifest(event, deps)).resolves.toBe('succeeded');
    expect(await store.get('acme', assetId)).toMatchObject({
      assetId,
      tenantId: 'acme',
      fileName: 'cat.jpg',
      width: 640,
      height: 480,
      sourceSequencer: '0A',
    });
    expect(events.events).toEqual([
      expect.objectContaining({
        type: 'asset.indexed',
        detail: { documentKey: indexDocumentKey('acme', assetId) },
      }),
    ]);
  });

  it('treats a replay as a no-op that announces again under the same event id', async () => {
    const { objects, events, deps, event, writeManifest } = setup();
    writeManifest(manifest('0A'));
    await indexManifest(event, deps);
    const before = await objects.get(PROCESSED, indexDocumentKey('acme', assetId));
    await expect(indexManifest(event, deps)).resolves.toBe('skipped');
    expect((await objects.get(PROCESSED, indexDocumentKey('acme', assetId)))?.body).toEqual(before?.body);
    expect(events.events).toHaveLength(2);
    expect(events.events[1]).toEqual(events.events[0]);
  });

  it('never lets an older manifest overwrite a newer document, and keeps createdAt on updates', async () => {
    const { store, deps, event, writeManifest } = setup();
    writeManifest(manifest('0B', 'new.jpg'));
    await indexManifest(event, deps);
    const first = await store.get('acme', assetId);
    writeManifest(manifest('0A', 'old.jpg'));
    await expect(indexManifest(event, deps)).resolves.toBe('skipped');
    expect((await store.get('acme', assetId))?.fileName).toBe('new.jpg');
    writeManifest(manifest('0C', 'newest.jpg'));
    await expect(indexManifest(event, deps)).resolves.toBe('succeeded');
    const latest = await store.get('acme', assetId);
    expect([latest?.fileName, latest?.createdAt]).toEqual(['newest.jpg', first?.createdAt]);
    expect(latest?.updatedAt).not.toBe(first?.updatedAt);
  });

  it('skips a manifest deleted since its event', async () => {
    const { deps, event } = setup();
    await expect(indexManifest(event, deps)).resolves.toBe('skipped');
  });

  it('fails a manifest that breaks its contract, so the record ends in the DLQ', async () => {
    const { objects, deps, event } = setup();
    objects.seed(PROCESSED, manifestKey(assetId), JSON.stringify({ assetId }));
    await expect(indexManifest(event, deps)).rejects.toThrow(/Invalid manifest manifests\/.*required/);
  });

  it('puts the document in the search index, with an embedding of the recorded model', async () => {
    const { search, deps, event, writeManifest } = setup();
    writeManifest(manifest('0A', 'harbour-sunset.jpg'));
    await indexManifest(event, deps);
    const page = await search.search({
      tenantId: 'acme',
      ranking: 'text',
      text: { raw: 'sunset', terms: ['sunset'], phrases: [] },
      filters: {},
      limit: 5,
    });
    expect(page.hits.map((h) => h.document.assetId)).toEqual([assetId]);
    expect((await search.getVector('acme', assetId))?.length).toBe(deps.embedder.dimension);
  });

  it('re-indexes a reprocessed manifest of the same upload (same sequencer, later processedAt)', async () => {
    const { search, deps, event, writeManifest } = setup();
    writeManifest(manifest('0A', 'first.jpg'));
    await indexManifest(event, deps);
    writeManifest(manifest('0A', 'second.jpg', '2026-02-01T00:00:00.000Z'));
    await expect(indexManifest(event, deps)).resolves.toBe('succeeded');
    expect((await search.get('acme', assetId))?.fileName).toBe('second.jpg');
  });

  it('finishes a write a crash cut short: the search index is filled on the retry', async () => {
    const { search, deps, event, writeManifest } = setup();
    writeManifest(manifest('0A'));
    await indexManifest(event, deps);
    await search.remove(assetId);
    await expect(indexManifest(event, deps)).resolves.toBe('succeeded');
    expect(await search.get('acme', assetId)).not.toBeNull();
  });

  it('removes the document when the manifest is deleted, unless it exists again', async () => {
    const { objects, store, search, deps, event, writeManifest } = setup();
    writeManifest(manifest('0A'));
    await indexManifest(event, deps);
    const removal: S3ObjectEvent = { ...event, eventName: 'ObjectRemoved:Delete', sequencer: '02' };
    await expect(removeManifest(removal, deps)).resolves.toBe('skipped');
    expect(await search.get('acme', assetId)).not.toBeNull();
    await objects.delete(PROCESSED, manifestKey(assetId));
    await expect(removeManifest(removal, deps)).resolves.toBe('succeeded');
    expect([await search.get('acme', assetId), await store.get('acme', assetId)]).toEqual([null, null]);
    await expect(removeManifest(removal, deps)).resolves.toBe('skipped');
  });
});
