/** Where an asset's original may be: still uploaded, quarantined (rejected) or archived. */
export type OriginalPlace = 'uploads' | 'quarantine' | 'archive';

export interface OriginalLocation {
  place: OriginalPlace;
  bucket: string;
  key: string;
}

/** The originals the internal reprocess endpoint works with. */
export interface AssetOriginals {
  /** Every place the asset's original is found, uploads first, then quarantine, then archive. */
  locate(tenantId: string, assetId: string): Promise<OriginalLocation[]>;
  /**
   * Writes the original to uploadKey in the ingest bucket, which starts the pipeline again. From
   * uploads itself: a copy onto itself (same bytes, type and metadata), a new ObjectCreated event.
   */
  retrigger(from: OriginalLocation, uploadKey: string): Promise<void>;
}

/** The archived original is in a storage class that needs a restore before it can be read. */
export class OriginalNotReadableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OriginalNotReadableError';
  }
}
