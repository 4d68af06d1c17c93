import type { AssetManifest } from '@sluice/contracts';
import {
  archiveKey,
  deterministicEventId,
  type Logger,
  loadManifest,
  logPipelineStep,
  type ObjectStore,
  type Outcome,
  type PipelineEventPublisher,
  type S3ObjectEvent,
} from '@sluice/runtime';
import { copyIsVerified, verifyCompositeCopy } from '../domain/checksum';
import { ArchiveVerificationError } from '../domain/errors';
import { partSizeFor } from '../domain/parts';
import type { ArchiveStorageClass } from '../domain/storage-class';
import type { ArchivedCopy, ArchiveStore, ObjectRef } from '../ports/archive-store';

export { ArchiveVerificationError };

export interface ArchiveOriginalDeps {
  objects: ObjectStore;
  archive: ArchiveStore;
  events: PipelineEventPublisher;
  logger: Logger;
  archiveBucket: string;
  storageClass: ArchiveStorageClass;
  /** Originals larger than this are copied part by part (UploadPartCopy). Default 5 GiB, S3's CopyObject limit. */
  multipartThresholdBytes?: number;
  /** Preferred part size of multipart copies (raised for objects that would need over 10,000 parts). */
  partSizeBytes?: number;
  /** UploadPartCopy requests in flight at once. */
  copyConcurrency?: number;
}

export const DEFAULT_MULTIPART_THRESHOLD_BYTES = 5 * 1024 ** 3;
export const DEFAULT_PART_SIZE_BYTES = 256 * 1024 ** 2;
export const DEFAULT_COPY_CONCURRENCY = 8;

/**
 * Whether the archive's copy is the manifest's bytes. A single-request copy carries S3's
 * full-object SHA-256, compared with the manifest's directly. A multipart copy carries a composite
 * SHA-256, which only the original's bytes, read at the same part boundaries, can confirm: that
 * read happens only when the original is still there to read.
 */
async function isVerified(
  copy: ArchivedCopy | null,
  manifest: AssetManifest,
  source: ObjectRef,
  deps: ArchiveOriginalDeps,
): Promise<boolean> {
  if (!copy || copy.size !== manifest.source.size) return false;
  if (copy.checksumType !== 'COMPOSITE') return copyIsVerified(manifest.sha256, copy.checksumSha256);
  if (!copy.checksumSha256 || !copy.firstPartSize) return false;
  const digest = await deps.archive.digest(source, {
    eTag: manifest.source.eTag,
    size: manifest.source.size,
    partSize: copy.firstPartSize,
  });
  return verifyCompositeCopy(manifest.sha256, copy.checksumSha256, digest).verified;
}

/** asset.archived, with an id that is the same for every announcement of this archived original. */
async function announce(
  manifest: AssetManifest,
  target: ObjectRef,
  archived: ArchivedCopy,
  deps: ArchiveOriginalDeps,
): Promise<void> {
  await deps.events.publish({
    id: deterministicEventId('asset.archived', manifest.assetId, target.bucket, target.key, manifest.sha256),
    type: 'asset.archived',
    assetId: manifest.assetId,
    tenantId: manifest.tenantId,
    detail: {
      bucket: target.bucket,
      key: target.key,
      storageClass: archived.storageClass ?? deps.storageClass,
      ...(archived.versionId ? { versionId: archived.versionId } : {}),
      sha256: manifest.sha256,
    },
  });
}

/**
 * Copy, verify, then delete: the original leaves the ingest bucket only once the archive holds a
 * copy proven to hash to the manifest's SHA-256. Every step is safe to repeat, so a crash anywhere
 * in between is recovered by redelivery, with no second copy when the first one verifies.
 */
export async function archiveOriginal(event: S3ObjectEvent, deps: ArchiveOriginalDeps): Promise<Outcome> {
  const started = performance.now();
  const manifest = await loadManifest(deps.objects, event);
  const log = (outcome: Outcome, message: string, extra: Record<string, unknown> = {}) =>
    logPipelineStep(deps.logger, message, {
      assetId: manifest?.assetId ?? 'unknown',
      stage: 'archive',
      outcome,
      durationMs: performance.now() - started,
      ...extra,
    });
  if (!manifest) {
    log('skipped', 'Manifest no longer exists');
    return 'skipped';
  }
  const source = { bucket: manifest.source.bucket, key: manifest.source.key };
  const target = {
    bucket: deps.archiveBucket,
    key: archiveKey({
      tenantId: manifest.tenantId,
      assetId: manifest.assetId,
      fileName: manifest.source.fileName,
    }),
  };

  let archived = await deps.archive.inspect(target);
  const sourceETag = await deps.archive.eTagOf(source);
  if (sourceETag === null) {
    // Originals leave only after verification: with the original gone, a copy of the manifest's
    // size (and, for single copies, its SHA-256) is the trace of finished work being replayed.
    const finished =
      archived !== null &&
      archived.size === manifest.source.size &&
      (archived.checksumType === 'COMPOSITE' || copyIsVerified(manifest.sha256, archived.checksumSha256));
    if (finished && archived) {
      // Announce again under the same id: the first announcement may have been lost to a crash
      // between the delete and the publish; consumers deduplicate on the id.
      await announce(manifest, target, archived, deps);
      log('skipped', 'Original already archived');
      return 'skipped';
    }
    throw new ArchiveVerificationError(
      `Original ${source.key} is gone and the archive holds no verified copy`,
    );
  }
  if (sourceETag !== manifest.source.eTag) {
    // The key was overwritten since this manifest: the newer upload's own manifest archives it.
    log('skipped', 'Original changed since this manifest', { key: source.key });
    return 'skipped';
  }

  let copied = false;
  if (!(await isVerified(archived, manifest, source, deps))) {
    const size = manifest.source.size;
    if (size > (deps.multipartThresholdBytes ?? DEFAULT_MULTIPART_THRESHOLD_BYTES)) {
      const digest = await deps.archive.multipartCopy(source, target, {
        storageClass: deps.storageClass,
        sourceETag: manifest.source.eTag,
        sourceSize: size,
        partSize: partSizeFor(size, deps.partSizeBytes ?? DEFAULT_PART_SIZE_BYTES),
        concurrency: deps.copyConcurrency ?? DEFAULT_COPY_CONCURRENCY,
      });
      archived = await deps.archive.inspect(target);
      const verdict = verifyCompositeCopy(manifest.sha256, archived?.checksumSha256, digest);
      if (!verdict.verified) {
        throw new ArchiveVerificationError(
          `Archived copy of ${source.key} failed verification: ${verdict.reason}`,
        );
      }
    } else {
      await deps.archive.copy(source, target, {
        storageClass: deps.storageClass,
        sourceETag: manifest.source.eTag,
      });
      archived = await deps.archive.inspect(target);
      if (archived?.size !== size || !copyIsVerified(manifest.sha256, archived.checksumSha256)) {
        throw new ArchiveVerificationError(
          `Archived copy of ${source.key} does not match the manifest's SHA-256`,
        );
      }
    }
    copied = true;
  }

  const deleted = await deps.archive.delete(source, manifest.source.eTag);
  if (deleted === 'changed') {
    // Replaced between verification and delete: the newer upload stays, and its manifest archives it.
    log('skipped', 'Original replaced before it could be deleted; the newer upload stays', {
      key: source.key,
    });
    return 'skipped';
  }
  await announce(
    manifest,
    target,
    archived ?? { size: manifest.source.size, storageClass: deps.storageClass },
    deps,
  );
  log('succeeded', 'Archived original', {
    storageClass: archived?.storageClass ?? deps.storageClass,
    bytes: manifest.source.size,
    multipart: archived?.checksumType === 'COMPOSITE',
    copied,
  });
  return 'succeeded';
}
