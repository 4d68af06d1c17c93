/**
 * @sluice/archiver's public API for other workspaces: the ingest API (restore and download of
 * originals) and the ops commands. The Lambda entry point is src/handler.ts.
 */
export { S3OriginalStore } from './adapters/s3-original-store';
export {
  DEFAULT_DOWNLOAD_URL_TTL_SECONDS,
  describeOriginal,
  type OriginalAccessDeps,
  OriginalNotFoundError,
  restoreOriginal,
} from './app/original-access';
export {
  type ArchivedObjectState,
  type Availability,
  availabilityOf,
  DEFAULT_RESTORE_DAYS,
  DEFAULT_RESTORE_TIER,
  MAX_RESTORE_DAYS,
  RESTORE_TIERS,
  RestoreRequestError,
  type RestoreTier,
} from './domain/restore';
export { ARCHIVE_STORAGE_CLASSES, type ArchiveStorageClass } from './domain/storage-class';
export type { OriginalStore, RestoreRequestOutcome } from './ports/original-store';
