import { CopyObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { archiveKey, copySource, isNotFound, parseUploadKey } from '@sluice/runtime';
import { isConditionFailed } from '../adapters/s3-storage';
import type { OriginalHead, OriginalStore } from '../ports/storage';

/** Copies an archived original (pinned to its ETag) to a key of the ingest bucket; 'changed' when it is gone or different. */
export type ArchivedOriginalCopier = (
  archivedKey: string,
  eTag: string,
  ingestKey: string,
) => Promise<'moved' | 'changed'>;

/** The S3 implementation: a server-side copy from the archive bucket into the ingest bucket. */
export function s3ArchivedOriginalCopier(
  s3: S3Client,
  buckets: { ingest: string; archive: string },
): ArchivedOriginalCopier {
  return async (archivedKey, eTag, ingestKey) => {
    try {
      await s3.send(
        new CopyObjectCommand({
          Bucket: buckets.ingest,
          Key: ingestKey,
          CopySource: copySource(buckets.archive, archivedKey),
          CopySourceIfMatch: eTag,
          StorageClass: 'STANDARD',
        }),
      );
      return 'moved';
    } catch (error) {
      if (isNotFound(error) || isConditionFailed(error)) return 'changed';
      throw error;
    }
  };
}

/**
 * The processor's view of originals for a reprocess: the ingest bucket first, then the archive
 * (originals/{tenantId}/{assetId}/{fileName}) once the archiver has moved the original there. The
 * processor keeps addressing the upload key; reads of an archived original go to the archive,
 * pinned to the archive copy's ETag. A rejection copies the archived original into quarantine/ and
 * leaves the archive untouched. One instance serves one task.
 */
export class ArchiveFallbackOriginals implements OriginalStore {
  private readonly archivedKeys = new Map<string, string>();

  constructor(
    private readonly ingest: OriginalStore,
    private readonly archive: OriginalStore,
    private readonly copyArchived: ArchivedOriginalCopier,
  ) {}

  /** Which bucket `key` was last found in: 'archive' after a head that fell back to the archive. */
  sourceOf(key: string): 'ingest' | 'archive' {
    return this.archivedKeys.has(key) ? 'archive' : 'ingest';
  }

  private route(key: string): { store: OriginalStore; key: string } {
    const archived = this.archivedKeys.get(key);
    return archived ? { store: this.archive, key: archived } : { store: this.ingest, key };
  }

  async head(key: string): Promise<OriginalHead | null> {
    this.archivedKeys.delete(key);
    const inIngest = await this.ingest.head(key);
    if (inIngest) return inIngest;
    const location = parseUploadKey(key);
    if (!location) return null;
    const archived = archiveKey(location);
    const head = await this.archive.head(archived);
    if (!head) return null;
    this.archivedKeys.set(key, archived);
    // The manifest names the ingest bucket; an archive version id would mislead there.
    const { versionId: _archiveVersion, ...rest } = head;
    return rest;
  }

  read(key: string, eTag: string): Promise<Buffer | null> {
    const { store, key: routed } = this.route(key);
    return store.read(routed, eTag);
  }

  readStart(key: string, eTag: string, length: number): Promise<Buffer | null> {
    const { store, key: routed } = this.route(key);
    return store.readStart(routed, eTag, length);
  }

  sha256(key: string, eTag: string): Promise<string | null> {
    const { store, key: routed } = this.route(key);
    return store.sha256(routed, eTag);
  }

  async quarantine(key: string, eTag: string, quarantineKey: string): Promise<'moved' | 'changed'> {
    const archived = this.archivedKeys.get(key);
    return archived
      ? this.copyArchived(archived, eTag, quarantineKey)
      : this.ingest.quarantine(key, eTag, quarantineKey);
  }
}
