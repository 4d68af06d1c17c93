import { createHash } from 'node:crypto';
import type { AssetManifest } from '@sluice/contracts';
import { archiveKey, createLogger, manifestKey, type S3ObjectEvent, uploadKey } from '@sluice/runtime';
import { InMemoryObjectStore, RecordingPublisher } from '@sluice/runtime/testing';
import {
  type ArchiveOriginalDeps,
  ArchiveVerificationError,
  archiveOriginal,
} from '../src/app/archive-original';
import type { ArchiveStorageClass } from '../src/domain/storage-class';
import type { ArchivedCopy, ArchiveStore, ObjectRef } from '../src/ports/archive-store';

const INGEST = 'ingest';
const PROCESSED = 'processed';
const ARCHIVE = 'archive';
const assetId = '0b6a7c1e-2f4d-4e8a-9c3b-5d6e7f8a9b0c';
const location = { tenantId: 'acme', assetId, fileName: 'cat.jpg' };
const original = Buffer.from('the original bytes');

/** ArchiveStore over the in-memory objects, with a switch to crash right after the copy. */
class FakeArchiveStore implements ArchiveStore {
  crashAfterCopy = false;
  corruptCopies = false;
  copies = 0;
  constructor(private readonly objects: InMemoryObjectStore) {}

  async copy(source: ObjectRef, target: ObjectRef, storageClass: ArchiveStorageClass): Promise<void> {
    this.copies += 1;
    if (this.corruptCopies) this.objects.seed(target.bucket, target.key, 'garbage');
    else await this.objects.copy(source, target, storageClass);
    if (this.crashAfterCopy) throw new Error('crash between copy and delete');
  }

  async inspect(target: ObjectRef): Promise<ArchivedCopy | null> {
    const head = await this.objects.head(target.bucket, target.key, true);
    return (
      head && {
        checksumSha256: head.checksumSha256,
        versionId: head.versionId,
        storageClass: head.storageClass,
      }
    );
  }

  async eTagOf(ref: ObjectRef): Promise<string | null> {
    return (await this.objects.head(ref.bucket, ref.key))?.eTag ?? null;
  }

  async delete(ref: ObjectRef): Promise<void> {
    await this.objects.delete(ref.bucket, ref.key);
  }
}

function setup() {
  const objects = new InMemoryObjectStore();
  objects.seed(INGEST, uploadKey(location), original, 'image/jpeg');
  const eTag = `"${createHash('md5').update(original).digest('hex')}"`;
  const manifest: AssetManifest = {
    assetId,
    tenantId: 'acme',
    source: {
      bucket: INGEST,
      key: uploadKey(location),
      size: original.length,
      eTag,
      sequencer: '0A',
      fileName: 'cat.jpg',
    },
    sha256: createHash('sha256').update(original).digest('hex'),
    detected: { mime: 'image/jpeg', kind: 'image', mismatch: false },
    renditions: [],
    processedAt: '2026-01-01T00:00:00.000Z',
    processorVersion: 'test',
  };
  objects.seed(PROCESSED, manifestKey(assetId), JSON.stringify(manifest), 'application/json');
  const archive = new FakeArchiveStore(objects);
  const events = new RecordingPublisher();
  const logger = createLogger('archiver-test');
  logger.setLogLevel('SILENT');
  const deps: ArchiveOriginalDeps = {
    objects,
    archive,
    events,
    logger,
    archiveBucket: ARCHIVE,
    storageClass: 'GLACIER_IR',
  };
  const event: S3ObjectEvent = {
    eventName: 'ObjectCreated:Put',
    eventTime: '2026-01-01T00:00:00.000Z',
    bucket: PROCESSED,
    key: manifestKey(assetId),
    sequencer: '0B',
  };
  return { objects, archive, events, deps, event };
}

describe('archiveOriginal', () => {
  it('copies, verifies, then deletes the original and announces it', async () => {
    const { objects, events, deps, event } = setup();
    await expect(archiveOriginal(event, deps)).resolves.toBe('succeeded');
    expect(objects.keys(INGEST)).toEqual([]);
    expect(objects.keys(ARCHIVE)).toEqual([archiveKey(location)]);
    expect((await objects.head(ARCHIVE, archiveKey(location)))?.storageClass).toBe('GLACIER_IR');
    expect(events.events.map((e) => [e.type, e.detail])).toEqual([
      [
        'asset.archived',
        expect.objectContaining({ bucket: ARCHIVE, key: archiveKey(location), storageClass: 'GLACIER_IR' }),
      ],
    ]);
  });

  it('recovers a crash between copy and delete on redelivery, with one copy and nothing lost', async () => {
    const { objects, archive, deps, event } = setup();
    archive.crashAfterCopy = true;
    await expect(archiveOriginal(event, deps)).rejects.toThrow('crash between copy and delete');
    expect(objects.keys(INGEST)).toEqual([uploadKey(location)]);
    archive.crashAfterCopy = false;
    await expect(archiveOriginal(event, deps)).resolves.toBe('succeeded');
    expect(archive.copies).toBe(1);
    expect(objects.keys(INGEST)).toEqual([]);
    expect((await objects.get(ARCHIVE, archiveKey(location)))?.body).toEqual(original);
  });

  it('treats a replay of finished work as a no-op', async () => {
    const { objects, events, deps, event } = setup();
    await archiveOriginal(event, deps);
    await expect(archiveOriginal(event, deps)).resolves.toBe('skipped');
    expect(objects.keys(ARCHIVE)).toEqual([archiveKey(location)]);
    expect(events.events).toHaveLength(1);
  });

  it('never deletes an original whose copy does not verify', async () => {
    const { objects, archive, events, deps, event } = setup();
    archive.corruptCopies = true;
    await expect(archiveOriginal(event, deps)).rejects.toThrow(ArchiveVerificationError);
    expect(objects.keys(INGEST)).toEqual([uploadKey(location)]);
    expect(events.events).toEqual([]);
  });

  it('skips a manifest whose original was overwritten since', async () => {
    const { objects, deps, event } = setup();
    objects.seed(INGEST, uploadKey(location), 'newer bytes');
    await expect(archiveOriginal(event, deps)).resolves.toBe('skipped');
    expect(objects.keys(ARCHIVE)).toEqual([]);
  });

  it('fails loudly when the original is gone and nothing verified is archived', async () => {
    const { objects, deps, event } = setup();
    await objects.delete(INGEST, uploadKey(location));
    await expect(archiveOriginal(event, deps)).rejects.toThrow(/gone and the archive holds no verified copy/);
  });
});
