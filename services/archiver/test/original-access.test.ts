import type { AssetManifest } from '@sluice/contracts';
import { archiveKey, uploadKey } from '@sluice/runtime';
import { describeOriginal, OriginalNotFoundError, restoreOriginal } from '../src/app/original-access';
import type { ArchivedObjectState, RestoreParameters } from '../src/domain/restore';
import type { ObjectRef } from '../src/ports/archive-store';
import type { OriginalStore, RestoreRequestOutcome } from '../src/ports/original-store';

const assetId = '0b6a7c1e-2f4d-4e8a-9c3b-5d6e7f8a9b0c';
const location = { tenantId: 'acme', assetId, fileName: 'scan.tiff' };
const manifest = {
  assetId,
  tenantId: 'acme',
  source: {
    bucket: 'ingest',
    key: uploadKey(location),
    size: 42,
    eTag: '"e1"',
    sequencer: '0A',
    fileName: 'scan.tiff',
  },
  sha256: 'a'.repeat(64),
  detected: { mime: 'image/tiff', kind: 'image', mismatch: false },
  renditions: [],
  processedAt: '2026-01-01T00:00:00.000Z',
  processorVersion: 'test',
} as AssetManifest;
const archived = { bucket: 'archive', key: archiveKey(location) };

/** S3's restore semantics in memory: 202 then 409 while a restore runs, 200 once restored, and time moved by hand. */
class FakeOriginalStore implements OriginalStore {
  readonly objects = new Map<string, ArchivedObjectState>();
  readonly requests: RestoreParameters[] = [];

  set(ref: ObjectRef, state: ArchivedObjectState): void {
    this.objects.set(`${ref.bucket}/${ref.key}`, state);
  }

  finishRestore(ref: ObjectRef): void {
    const state = this.objects.get(`${ref.bucket}/${ref.key}`);
    if (state) state.restore = { ongoing: false, expiresAt: '2026-01-08T00:00:00.000Z' };
  }

  async describe(ref: ObjectRef) {
    const state = this.objects.get(`${ref.bucket}/${ref.key}`);
    return state ? structuredClone(state) : null;
  }

  async requestRestore(ref: ObjectRef, parameters: RestoreParameters): Promise<RestoreRequestOutcome> {
    this.requests.push(parameters);
    const state = this.objects.get(`${ref.bucket}/${ref.key}`);
    if (!state) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
    if (state.restore?.ongoing) return 'in-progress';
    if (state.restore) return 'already-restored';
    state.restore = { ongoing: true };
    return 'accepted';
  }

  async downloadUrl(
    ref: ObjectRef,
    options: { fileName: string; expiresInSeconds: number; versionId?: string },
  ) {
    return `https://s3.example/${ref.bucket}/${ref.key}?v=${options.versionId}&ttl=${options.expiresInSeconds}&name=${encodeURIComponent(options.fileName)}`;
  }
}

const deps = (store: OriginalStore) => ({
  store,
  archiveBucket: 'archive',
  downloadUrlTtlSeconds: 120,
  now: () => new Date('2026-01-01T00:00:00.000Z'),
});

describe('restoring and downloading originals', () => {
  it('walks a DEEP_ARCHIVE original from archived through restoring to restored, with a download only then', async () => {
    const store = new FakeOriginalStore();
    store.set(archived, { storageClass: 'DEEP_ARCHIVE', size: 42, versionId: 'v7' });
    await expect(describeOriginal(manifest, deps(store))).resolves.toEqual({
      location: 'archive',
      availability: 'archived',
      storageClass: 'DEEP_ARCHIVE',
      size: 42,
    });
    await expect(restoreOriginal(manifest, { tier: 'Bulk', days: 3 }, deps(store))).resolves.toEqual({
      location: 'archive',
      availability: 'restoring',
      storageClass: 'DEEP_ARCHIVE',
      size: 42,
      restoreRequested: 'accepted',
    });
    await expect(restoreOriginal(manifest, { tier: 'Bulk', days: 3 }, deps(store))).resolves.toMatchObject({
      availability: 'restoring',
      restoreRequested: 'in-progress',
    });
    expect(store.requests).toEqual([
      { tier: 'Bulk', days: 3 },
      { tier: 'Bulk', days: 3 },
    ]);
    store.finishRestore(archived);
    await expect(describeOriginal(manifest, deps(store))).resolves.toEqual({
      location: 'archive',
      availability: 'restored',
      storageClass: 'DEEP_ARCHIVE',
      size: 42,
      restoreExpiresAt: '2026-01-08T00:00:00.000Z',
      download: {
        url: `https://s3.example/archive/${archived.key}?v=v7&ttl=120&name=scan.tiff`,
        expiresAt: '2026-01-01T00:02:00.000Z',
      },
    });
    await expect(restoreOriginal(manifest, {}, deps(store))).resolves.toMatchObject({
      availability: 'restored',
      restoreRequested: 'already-restored',
    });
  });

  it('needs no restore for GLACIER_IR, and reads an original not archived yet from the ingest bucket', async () => {
    const store = new FakeOriginalStore();
    store.set(archived, { storageClass: 'GLACIER_IR', size: 42 });
    await expect(restoreOriginal(manifest, { tier: 'Expedited' }, deps(store))).resolves.toMatchObject({
      availability: 'available',
      restoreRequested: 'not-needed',
      download: { url: expect.stringContaining('archive/originals/') },
    });
    expect(store.requests).toEqual([]);
    // Between the archiver's copy and delete both exist: the ingest one, still the manifest's, is read.
    store.set(manifest.source, { storageClass: 'STANDARD', size: 42, eTag: '"e1"' });
    await expect(describeOriginal(manifest, deps(store))).resolves.toMatchObject({
      location: 'ingest',
      availability: 'available',
      download: { url: expect.stringContaining(`ingest/${manifest.source.key}`) },
    });
    // A newer upload of the same key is not this asset's original.
    store.set(manifest.source, { storageClass: 'STANDARD', size: 9, eTag: '"e2"' });
    await expect(describeOriginal(manifest, deps(store))).resolves.toMatchObject({ location: 'archive' });
  });

  it('restores an Intelligent-Tiering archive tier without days, and refuses what the class cannot do', async () => {
    const store = new FakeOriginalStore();
    store.set(archived, {
      storageClass: 'INTELLIGENT_TIERING',
      size: 42,
      archiveStatus: 'DEEP_ARCHIVE_ACCESS',
    });
    await expect(restoreOriginal(manifest, { tier: 'Expedited' }, deps(store))).rejects.toThrow(
      'Expedited retrieval is not available for DEEP_ARCHIVE_ACCESS; use Standard or Bulk',
    );
    await expect(restoreOriginal(manifest, { days: 5 }, deps(store))).resolves.toMatchObject({
      availability: 'restoring',
      archiveAccessTier: 'DEEP_ARCHIVE_ACCESS',
    });
    expect(store.requests).toEqual([{ tier: 'Standard' }]);
  });

  it('says when the original is nowhere', async () => {
    const store = new FakeOriginalStore();
    await expect(describeOriginal(manifest, deps(store))).resolves.toEqual({
      location: 'missing',
      availability: 'missing',
    });
    await expect(restoreOriginal(manifest, {}, deps(store))).rejects.toThrow(OriginalNotFoundError);
  });
});
