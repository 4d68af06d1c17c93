import {
  archiveKey,
  type Logger,
  loadManifest,
  logPipelineStep,
  type ObjectStore,
  type Outcome,
  type PipelineEventPublisher,
  type S3ObjectEvent,
} from '@sluice/runtime';
import { copyIsVerified } from '../domain/checksum';
import type { ArchiveStorageClass } from '../domain/storage-class';
import type { ArchiveStore } from '../ports/archive-store';

export interface ArchiveOriginalDeps {
  objects: ObjectStore;
  archive: ArchiveStore;
  events: PipelineEventPublisher;
  logger: Logger;
  archiveBucket: string;
  storageClass: ArchiveStorageClass;
}

/** Raised when a copy does not match the manifest's checksum: the original stays, the record retries. */
export class ArchiveVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArchiveVerificationError';
  }
}

/**
 * Copy, verify, then delete: the original leaves the ingest bucket only once the archive holds a
 * copy whose SHA-256 matches the manifest. Every step is safe to repeat, so a crash anywhere in
 * between is recovered by redelivery.
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
  if (copyIsVerified(manifest.sha256, archived?.checksumSha256) && sourceETag === null) {
    // A replay of finished work: the event went out when the original was deleted.
    log('skipped', 'Original already archived');
    return 'skipped';
  }
  if (!copyIsVerified(manifest.sha256, archived?.checksumSha256)) {
    if (sourceETag === null) {
      throw new ArchiveVerificationError(
        `Original ${source.key} is gone and the archive holds no verified copy`,
      );
    }
    if (sourceETag !== manifest.source.eTag) {
      // The key was overwritten since this manifest: the newer upload's own manifest archives it.
      log('skipped', 'Original changed since this manifest', { key: source.key });
      return 'skipped';
    }
    await deps.archive.copy(source, target, deps.storageClass);
    archived = await deps.archive.inspect(target);
    if (!copyIsVerified(manifest.sha256, archived?.checksumSha256)) {
      throw new ArchiveVerificationError(
        `Archived copy of ${source.key} does not match the manifest's SHA-256`,
      );
    }
  }
  await deps.archive.delete(source);
  await deps.events.publish({
    type: 'asset.archived',
    assetId: manifest.assetId,
    tenantId: manifest.tenantId,
    detail: {
      bucket: target.bucket,
      key: target.key,
      storageClass: archived?.storageClass ?? deps.storageClass,
      ...(archived?.versionId ? { versionId: archived.versionId } : {}),
      sha256: manifest.sha256,
    },
  });
  log('succeeded', 'Archived original', { storageClass: deps.storageClass });
  return 'succeeded';
}
