import type { SourceDigest } from '../domain/checksum';
import type { ArchiveStorageClass } from '../domain/storage-class';

export interface ObjectRef {
  bucket: string;
  key: string;
}

export interface ArchivedCopy {
  size: number;
  /**
   * S3's SHA-256 checksum of the copy (base64): full-object after CopyObject, composite
   * (`digest-N`) after a multipart copy. Absent when S3 has none for it.
   */
  checksumSha256?: string;
  checksumType?: 'FULL_OBJECT' | 'COMPOSITE';
  /** Bytes in part 1 of a multipart copy: every part but the last has this size. */
  firstPartSize?: number;
  versionId?: string;
  storageClass?: string;
}

export interface CopyOptions {
  storageClass: ArchiveStorageClass;
  /** The original's ETag as the manifest recorded it: S3 copies only that version (x-amz-copy-source-if-match). */
  sourceETag: string;
}

export interface MultipartCopyOptions extends CopyOptions {
  sourceSize: number;
  partSize: number;
  /** UploadPartCopy requests in flight at once. */
  concurrency: number;
}

export type DeleteOutcome = 'deleted' | 'changed' | 'gone';

export interface ArchiveStore {
  /** One CopyObject into the archive: metadata kept, storage class set, S3 SHA-256 computed. */
  copy(source: ObjectRef, target: ObjectRef, options: CopyOptions): Promise<void>;
  /**
   * A multipart copy (UploadPartCopy) with a composite SHA-256, metadata kept, and the original
   * read once alongside, at the same part boundaries; the upload is aborted on any failure.
   */
  multipartCopy(source: ObjectRef, target: ObjectRef, options: MultipartCopyOptions): Promise<SourceDigest>;
  /** Reads the original once (only the version with `eTag`), hashing it whole and per part. */
  digest(source: ObjectRef, options: { eTag: string; size: number; partSize: number }): Promise<SourceDigest>;
  /** What the archive holds at `target`, or null when nothing is there. */
  inspect(target: ObjectRef): Promise<ArchivedCopy | null>;
  /** The current ETag of an object, or null when it is gone. */
  eTagOf(ref: ObjectRef): Promise<string | null>;
  /**
   * Deletes the original only while its ETag is still `ifMatch`: an upload that replaced it in
   * the meantime is never deleted ('changed'); 'gone' when nothing was there.
   */
  delete(ref: ObjectRef, ifMatch: string): Promise<DeleteOutcome>;
}
