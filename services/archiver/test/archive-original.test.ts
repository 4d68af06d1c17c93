import { createHash } from 'node:crypto';
import type { AssetManifest } from '@sluice/contracts';
import { archiveKey, createLogger, manifestKey, type S3ObjectEvent, uploadKey } from '@sluice/runtime';
import { InMemoryObjectStore, RecordingPublisher } from '@sluice/runtime/testing';
import {
  type ArchiveOriginalDeps,
  ArchiveVerificationError,
  archiveOriginal,
} from '../src/app/archive-original';
import { ARCHIVE_STORAGE_CLASSES } from '../src/domain/storage-class';
import { FakeArchiveStore } from './support/fake-archive-store';

const INGEST = 'ingest';
const PROCESSED = 'processed';
const ARCHIVE = 'archive';
const assetId = '0b6a7c1e-2f4d-4e8a-9c3b-5d6e7f8a9b0c';
const location = { tenantId: 'acme', assetId, fileName: 'cat.jpg' };
const target = { bucket: ARCHIVE, key: archiveKey(location) };
const MIB = 1024 ** 2;

/** 12 MiB + 123 bytes of a repeating pattern: three parts of 5 MiB, 5 MiB and 2 MiB + 123. */
function bigOriginal(): Buffer {
  const body = Buffer.alloc(12 * MIB + 123);
  for (let i = 0; i < body.length; i++) body[i] = (i * 7) & 255;
  return body;
}

function setup(
  original: Buffer = Buffer.from('the original bytes'),
  overrides: Partial<ArchiveOriginalDeps> = {},
) {
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
    ...overrides,
  };
  const event: S3ObjectEvent = {
    eventName: 'ObjectCreated:Put',
    eventTime: '2026-01-01T00:00:00.000Z',
    bucket: PROCESSED,
    key: manifestKey(assetId),
    sequencer: '0B',
  };
  const rewriteManifest = (change: Partial<AssetManifest>) =>
    objects.seed(
      PROCESSED,
      manifestKey(assetId),
      JSON.stringify({ ...manifest, ...change }),
      'application/json',
    );
  return { objects, archive, events, deps, event, original, manifest, rewriteManifest };
}

describe('archiveOriginal: single-request copies', () => {
  it.each(ARCHIVE_STORAGE_CLASSES)(
    'copies into %s, verifies, then deletes the original and announces it',
    async (storageClass) => {
      const { objects, archive, events, deps, event, original, manifest } = setup(undefined, {
        storageClass,
      });
      await expect(archiveOriginal(event, deps)).resolves.toBe('succeeded');
      expect(objects.keys(INGEST)).toEqual([]);
      expect(archive.versionsOf(target).map((v) => [v.storageClass, v.body])).toEqual([
        [storageClass, original],
      ]);
      expect(archive.multipartCopies).toBe(0);
      expect(events.events.map((e) => [e.type, e.detail])).toEqual([
        [
          'asset.archived',
          { bucket: ARCHIVE, key: target.key, storageClass, versionId: 'v1', sha256: manifest.sha256 },
        ],
      ]);
    },
  );

  it('recovers a crash between copy and delete on redelivery, with one copy and nothing lost', async () => {
    const { objects, archive, events, deps, event, original } = setup();
    archive.crashAfterCopy = true;
    await expect(archiveOriginal(event, deps)).rejects.toThrow('crash between copy and delete');
    expect(objects.keys(INGEST)).toEqual([uploadKey(location)]);
    expect(events.events).toEqual([]);
    archive.crashAfterCopy = false;
    await expect(archiveOriginal(event, deps)).resolves.toBe('succeeded');
    expect(archive.copies).toBe(1);
    expect(archive.versionsOf(target)).toHaveLength(1);
    expect(objects.keys(INGEST)).toEqual([]);
    expect(archive.versionsOf(target)[0]?.body).toEqual(original);
    expect(events.events.map((e) => e.type)).toEqual(['asset.archived']);
  });

  it('copies nothing on a replay of finished work, and announces again under the same event id', async () => {
    const { archive, events, deps, event } = setup();
    await archiveOriginal(event, deps);
    await expect(archiveOriginal(event, deps)).resolves.toBe('skipped');
    expect(archive.copies).toBe(1);
    expect(events.events.map((e) => e.type)).toEqual(['asset.archived', 'asset.archived']);
    expect(events.events[1]?.id).toBe(events.events[0]?.id);
    expect(events.events[1]?.detail).toEqual(events.events[0]?.detail);
  });

  it('never deletes an original whose copy does not verify', async () => {
    const { objects, archive, events, deps, event } = setup();
    archive.corruptCopies = true;
    await expect(archiveOriginal(event, deps)).rejects.toThrow(ArchiveVerificationError);
    expect(objects.keys(INGEST)).toEqual([uploadKey(location)]);
    expect(events.events).toEqual([]);
    // Once copies are sound again, the redelivery replaces the bad copy and only then deletes.
    archive.corruptCopies = false;
    await expect(archiveOriginal(event, deps)).resolves.toBe('succeeded');
    expect(archive.versionsOf(target)).toHaveLength(2);
    expect(objects.keys(INGEST)).toEqual([]);
  });

  it('skips a manifest whose original was overwritten since', async () => {
    const { objects, archive, deps, event } = setup();
    objects.seed(INGEST, uploadKey(location), 'newer bytes');
    await expect(archiveOriginal(event, deps)).resolves.toBe('skipped');
    expect(archive.archive.size).toBe(0);
    expect(objects.keys(INGEST)).toEqual([uploadKey(location)]);
  });

  it('never deletes an upload that replaced the original between verification and delete', async () => {
    const { objects, archive, events, deps, event } = setup();
    archive.replaceBeforeDelete = Buffer.from('a newer upload of the same key');
    await expect(archiveOriginal(event, deps)).resolves.toBe('skipped');
    expect((await objects.get(INGEST, uploadKey(location)))?.body.toString()).toBe(
      'a newer upload of the same key',
    );
    expect(events.events).toEqual([]);
  });

  it('fails loudly when the original is gone and nothing verified is archived', async () => {
    const { objects, deps, event } = setup();
    await objects.delete(INGEST, uploadKey(location));
    await expect(archiveOriginal(event, deps)).rejects.toThrow(/gone and the archive holds no verified copy/);
  });

  it('skips a manifest that no longer exists', async () => {
    const { objects, archive, deps, event } = setup();
    await objects.delete(PROCESSED, manifestKey(assetId));
    await expect(archiveOriginal(event, deps)).resolves.toBe('skipped');
    expect(archive.copies).toBe(0);
  });
});

describe('archiveOriginal: multipart copies (threshold lowered to 5 MiB)', () => {
  const multipart = { multipartThresholdBytes: 5 * MIB, partSizeBytes: 5 * MIB };

  it('copies part by part with a composite SHA-256 verified against the original, then deletes', async () => {
    const { objects, archive, events, deps, event, original } = setup(bigOriginal(), multipart);
    await expect(archiveOriginal(event, deps)).resolves.toBe('succeeded');
    expect(archive.multipartCopies).toBe(1);
    expect(archive.copies).toBe(0);
    const [copy] = archive.versionsOf(target);
    expect(copy?.partDigests).toHaveLength(3);
    expect(copy?.body.equals(original)).toBe(true);
    expect(objects.keys(INGEST)).toEqual([]);
    expect(events.events.map((e) => e.type)).toEqual(['asset.archived']);
  });

  it('copies an original at the threshold in one request', async () => {
    const { archive, deps, event } = setup(Buffer.alloc(5 * MIB, 1), multipart);
    await expect(archiveOriginal(event, deps)).resolves.toBe('succeeded');
    expect([archive.copies, archive.multipartCopies]).toEqual([1, 0]);
  });

  it('never deletes the original when one part of the copy differs', async () => {
    const { objects, archive, events, deps, event } = setup(bigOriginal(), multipart);
    archive.corruptPart = 2;
    await expect(archiveOriginal(event, deps)).rejects.toThrow(/composite SHA-256 does not match/);
    expect(objects.keys(INGEST)).toEqual([uploadKey(location)]);
    expect(events.events).toEqual([]);
  });

  it("never deletes the original when its bytes do not hash to the manifest's SHA-256", async () => {
    const { objects, deps, event, rewriteManifest } = setup(bigOriginal(), multipart);
    rewriteManifest({ sha256: 'f'.repeat(64) });
    await expect(archiveOriginal(event, deps)).rejects.toThrow(/not the manifest's/);
    expect(objects.keys(INGEST)).toEqual([uploadKey(location)]);
  });

  it('recovers a crash between copy and delete by re-reading the original, not copying again', async () => {
    const { objects, archive, events, deps, event } = setup(bigOriginal(), multipart);
    archive.crashAfterCopy = true;
    await expect(archiveOriginal(event, deps)).rejects.toThrow('crash between copy and delete');
    expect(objects.keys(INGEST)).toEqual([uploadKey(location)]);
    archive.crashAfterCopy = false;
    const digestsBefore = archive.digests;
    await expect(archiveOriginal(event, deps)).resolves.toBe('succeeded');
    expect(archive.multipartCopies).toBe(1);
    expect(archive.digests).toBe(digestsBefore + 1);
    expect(archive.versionsOf(target)).toHaveLength(1);
    expect(objects.keys(INGEST)).toEqual([]);
    expect(events.events.map((e) => e.type)).toEqual(['asset.archived']);
  });

  it('copies nothing on a replay after a finished multipart archive', async () => {
    const { archive, events, deps, event } = setup(bigOriginal(), multipart);
    await archiveOriginal(event, deps);
    await expect(archiveOriginal(event, deps)).resolves.toBe('skipped');
    expect(archive.multipartCopies).toBe(1);
    expect(new Set(events.events.map((e) => e.id)).size).toBe(1);
  });
});
