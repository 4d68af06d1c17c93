/** The uploaded original as S3 reports it. */
export interface OriginalHead {
  size: number;
  eTag: string;
  contentType?: string;
  versionId?: string;
}

/**
 * The ingest bucket, as the processor uses it. Every read is pinned to the ETag the processor
 * checked first: if the key is overwritten meanwhile, the read answers null ("changed or gone"),
 * and the newer write's own event does the work.
 */
export interface OriginalStore {
  head(key: string): Promise<OriginalHead | null>;
  /** The whole object. */
  read(key: string, eTag: string): Promise<Buffer | null>;
  /** The first `length` bytes (fewer when the object is shorter). */
  readStart(key: string, eTag: string, length: number): Promise<Buffer | null>;
  /** Lowercase hex SHA-256 of the object, streamed (constant memory, any size). */
  sha256(key: string, eTag: string): Promise<string | null>;
  /**
   * Moves the original to `quarantineKey`: copy, then delete the upload only if it is still this
   * version. 'changed' when the upload was overwritten or removed meanwhile (nothing deleted).
   */
  quarantine(key: string, eTag: string, quarantineKey: string): Promise<'moved' | 'changed'>;
}

/** An object the processor writes, stamped with the S3 sequencer of the upload it came from. */
export interface OutputObject {
  key: string;
  body: Buffer;
  contentType: string;
  cacheControl?: string;
  sequencer: string;
}

export interface StoredManifest {
  doc: unknown;
  eTag: string;
}

/**
 * The processed bucket, as the processor uses it. Writes are compare-and-swap on the source
 * sequencer: an output made from an older write of an upload never replaces one made from a newer
 * write, whatever order concurrent workers finish in.
 */
export interface OutputStore {
  getManifest(key: string): Promise<StoredManifest | null>;
  /** 'superseded' when the object already holds output of a newer write (nothing written). */
  putUnlessNewer(object: OutputObject): Promise<'written' | 'superseded'>;
  /** Deletes the object unless it holds output of a write newer than `sequencer`. */
  deleteUnlessNewer(key: string, sequencer: string): Promise<'deleted' | 'kept'>;
}
