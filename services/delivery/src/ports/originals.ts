import type { AssetManifest } from '@sluice/contracts';

export type OriginalUnavailableReason =
  /** In a cold storage class (GLACIER, DEEP_ARCHIVE, an Intelligent-Tiering archive tier). */
  | 'archived'
  /** A restore of the archived original is under way. */
  | 'restoring'
  /** Neither in the ingest bucket nor in the archive. */
  | 'missing'
  /** The ingest object changed since the manifest was written (re-uploaded, not yet processed). */
  | 'changed'
  /** Larger than the delivery service decodes. */
  | 'too-large';

/** The original cannot be read for a transform now; `location` says where it is. */
export class OriginalUnavailableError extends Error {
  constructor(
    readonly reason: OriginalUnavailableReason,
    message: string,
    readonly location?: { bucket: string; key: string; storageClass?: string },
  ) {
    super(message);
    this.name = 'OriginalUnavailableError';
  }
}

export interface OriginalSource {
  /**
   * The original's bytes: from the ingest bucket while it is there, else from the archive bucket
   * (originals/{tenantId}/{assetId}/{fileName}). Throws OriginalUnavailableError.
   */
  read(manifest: AssetManifest): Promise<{ bytes: Buffer; from: 'ingest' | 'archive' }>;
}
