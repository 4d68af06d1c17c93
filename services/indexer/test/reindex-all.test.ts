import type { AssetManifest } from '@sluice/contracts';
import { createLogger, manifestKey } from '@sluice/runtime';
import { InMemoryObjectStore, RecordingPublisher } from '@sluice/runtime/testing';
import { LocalFeatureEmbedder } from '@sluice/search';
import { MemoryIndexStore } from '@sluice/search/testing';
import { S3DocumentStore } from '../src/adapters/s3-document-store';
import { reindexAll } from '../src/app/reindex-all';

const ids = ['0b6a7c1e-2f4d-4e8a-9c3b-5d6e7f8a9b01', '0b6a7c1e-2f4d-4e8a-9c3b-5d6e7f8a9b02'];

function manifest(assetId: string): AssetManifest {
  return {
    assetId,
    tenantId: 'acme',
    source: {
      bucket: 'ingest',
      key: `uploads/acme/${assetId}/a.jpg`,
      size: 1,
      eTag: '"e"',
      sequencer: '0A',
      fileName: 'a.jpg',
    },
    sha256: 'a'.repeat(64),
    detected: { mime: 'image/jpeg', kind: 'image', mismatch: false },
    renditions: [],
    processedAt: '2026-01-01T00:00:00.000Z',
    processorVersion: 'test',
  };
}

async function* keys(list: string[]) {
  yield* list;
}

describe('reindexAll', () => {
  it('indexes every manifest, reports progress and failures, and changes nothing when run again', async () => {
    const objects = new InMemoryObjectStore();
    for (const id of ids) objects.seed('processed', manifestKey(id), JSON.stringify(manifest(id)));
    objects.seed('processed', 'manifests/0b6a7c1e-2f4d-4e8a-9c3b-5d6e7f8a9b03.json', '{"broken":true}');
    const embedder = new LocalFeatureEmbedder();
    const search = new MemoryIndexStore(embedder);
    const logger = createLogger('reindex-test');
    logger.setLogLevel('SILENT');
    const deps = {
      objects,
      processedBucket: 'processed',
      documents: new S3DocumentStore(objects, 'processed'),
      search,
      embedder,
      events: new RecordingPublisher(),
      logger,
    };
    const all = [
      ...ids.map(manifestKey),
      'manifests/0b6a7c1e-2f4d-4e8a-9c3b-5d6e7f8a9b03.json',
      'manifests/not-an-asset.json',
    ];
    const seen: number[] = [];
    const first = await reindexAll(keys(all), deps, (p) => seen.push(p.seen));
    expect([first.seen, first.indexed, first.skipped, first.failed.length]).toEqual([3, 2, 0, 1]);
    expect(first.failed[0]?.error).toMatch(/Invalid manifest/);
    expect(seen).toEqual([1, 2, 3]);
    expect(await search.count('acme')).toBe(2);
    const second = await reindexAll(keys(all), deps);
    expect([second.indexed, second.skipped]).toEqual([0, 2]);
  });
});
