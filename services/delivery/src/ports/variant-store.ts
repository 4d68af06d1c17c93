import type { Readable } from 'node:stream';

/** A stored variant (rendition or ad-hoc) in the processed bucket. */
export interface StoredVariant {
  eTag: string;
  contentType: string;
  contentLength: number;
  /** Absent for HEAD. Streams straight from storage. */
  body?: Readable;
}

export interface NewVariant {
  key: string;
  body: Buffer;
  contentType: string;
  cacheControl: string;
  /** User metadata, e.g. the source sequencer the processor orders its writes by. */
  metadata: Record<string, string>;
}

export interface VariantStore {
  /**
   * The stored variant at `key`: null when missing (or unreadable, e.g. in an archive tier);
   * `{ notModified }` when ifNoneMatch matches it (no body is read).
   */
  open(
    key: string,
    options: { head: boolean; ifNoneMatch?: string },
  ): Promise<StoredVariant | { notModified: true; eTag: string } | null>;
  /**
   * Stores a new variant unless the key exists (create-only: never replaces a processor's write).
   * Returns the stored entity tag, or null when another writer got there first.
   */
  putIfAbsent(variant: NewVariant): Promise<{ eTag: string } | null>;
}
