import type { ArchiveStorageClass } from '../domain/storage-class';

export interface ObjectRef {
  bucket: string;
  key: string;
}

export interface ArchivedCopy {
  /** S3's full-object SHA-256 (base64), when S3 has one for the copy. */
  checksumSha256?: string;
  versionId?: string;
  storageClass?: string;
}

export interface ArchiveStore {
  /** Server-side copy into the archive, metadata kept, with an S3 SHA-256 checksum computed. */
  copy(source: ObjectRef, target: ObjectRef, storageClass: ArchiveStorageClass): Promise<void>;
  /** What the archive holds at `target`, or null when nothing is there. */
  inspect(target: ObjectRef): Promise<ArchivedCopy | null>;
  /** The current ETag of an object, or null when it is gone. */
  eTagOf(ref: ObjectRef): Promise<string | null>;
  delete(ref: ObjectRef): Promise<void>;
}
