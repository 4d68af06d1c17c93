import { createHash } from 'node:crypto';
import type { InMemoryObjectStore } from '@sluice/runtime/testing';
import { compositeSha256, type SourceDigest } from '../../src/domain/checksum';
import { planParts } from '../../src/domain/parts';
import type {
  ArchivedCopy,
  ArchiveStore,
  CopyOptions,
  DeleteOutcome,
  MultipartCopyOptions,
  ObjectRef,
} from '../../src/ports/archive-store';

interface ArchivedObject {
  body: Buffer;
  storageClass: string;
  metadata: Record<string, string>;
  /** Part digests (base64) of a multipart copy; undefined for a single-request copy. */
  partDigests?: string[];
  partSize?: number;
  versionId: string;
}

const sha256 = (bytes: Buffer, encoding: 'hex' | 'base64') =>
  createHash('sha256').update(bytes).digest(encoding);

/**
 * An ArchiveStore with S3's semantics in memory: originals come from an InMemoryObjectStore, the
 * archive is versioned, a multipart copy gets a composite SHA-256 as S3 computes it. Switches inject
 * the faults the tests need: a crash after the copy, corrupted copies, a replacing upload.
 */
export class FakeArchiveStore implements ArchiveStore {
  readonly archive = new Map<string, ArchivedObject[]>();
  crashAfterCopy = false;
  corruptCopies = false;
  /** Flip one byte of this part (1-based) in multipart copies. */
  corruptPart: number | undefined;
  /** Replace the original with these bytes right before the delete. */
  replaceBeforeDelete: Buffer | undefined;
  copies = 0;
  multipartCopies = 0;
  digests = 0;
  private versions = 0;

  constructor(private readonly objects: InMemoryObjectStore) {}

  private async sourceBytes(source: ObjectRef, eTag: string): Promise<Buffer> {
    const original = await this.objects.get(source.bucket, source.key);
    if (!original) throw Object.assign(new Error(`NoSuchKey: ${source.key}`), { name: 'NoSuchKey' });
    if (original.eTag !== eTag)
      throw Object.assign(new Error('PreconditionFailed'), { name: 'PreconditionFailed' });
    return original.body;
  }

  private store(target: ObjectRef, entry: Omit<ArchivedObject, 'versionId'>): void {
    const key = `${target.bucket}/${target.key}`;
    const versions = this.archive.get(key) ?? [];
    versions.push({ ...entry, versionId: `v${++this.versions}` });
    this.archive.set(key, versions);
  }

  versionsOf(target: ObjectRef): ArchivedObject[] {
    return this.archive.get(`${target.bucket}/${target.key}`) ?? [];
  }

  async copy(source: ObjectRef, target: ObjectRef, options: CopyOptions): Promise<void> {
    this.copies += 1;
    const body = await this.sourceBytes(source, options.sourceETag);
    const head = await this.objects.head(source.bucket, source.key);
    this.store(target, {
      body: this.corruptCopies ? Buffer.from('garbage') : body,
      storageClass: options.storageClass,
      metadata: head?.metadata ?? {},
    });
    if (this.crashAfterCopy) throw new Error('crash between copy and delete');
  }

  async multipartCopy(
    source: ObjectRef,
    target: ObjectRef,
    options: MultipartCopyOptions,
  ): Promise<SourceDigest> {
    this.multipartCopies += 1;
    const digest = await this.digest(source, {
      eTag: options.sourceETag,
      size: options.sourceSize,
      partSize: options.partSize,
    });
    const body = Buffer.from(await this.sourceBytes(source, options.sourceETag));
    const parts = planParts(body.length, options.partSize);
    if (this.corruptPart !== undefined) {
      const part = parts[this.corruptPart - 1];
      if (part) body[part.first] = ((body[part.first] ?? 0) + 1) & 255;
    }
    const head = await this.objects.head(source.bucket, source.key);
    this.store(target, {
      body,
      storageClass: options.storageClass,
      metadata: head?.metadata ?? {},
      partSize: options.partSize,
      partDigests: parts.map((p) => sha256(body.subarray(p.first, p.last + 1), 'base64')),
    });
    if (this.crashAfterCopy) throw new Error('crash between copy and delete');
    return digest;
  }

  async digest(
    source: ObjectRef,
    options: { eTag: string; size: number; partSize: number },
  ): Promise<SourceDigest> {
    this.digests += 1;
    const body = await this.sourceBytes(source, options.eTag);
    const parts = planParts(body.length, options.partSize);
    return {
      sha256Hex: sha256(body, 'hex'),
      partDigests: parts.map((p) => sha256(body.subarray(p.first, p.last + 1), 'base64')),
      partSize: options.partSize,
      size: body.length,
    };
  }

  async inspect(target: ObjectRef): Promise<ArchivedCopy | null> {
    const current = this.versionsOf(target).at(-1);
    if (!current) return null;
    const composite = current.partDigests && compositeSha256(current.partDigests);
    return {
      size: current.body.length,
      checksumSha256: composite ? `${composite.digest}-${composite.parts}` : sha256(current.body, 'base64'),
      checksumType: composite ? 'COMPOSITE' : 'FULL_OBJECT',
      ...(current.partSize ? { firstPartSize: Math.min(current.partSize, current.body.length) } : {}),
      versionId: current.versionId,
      storageClass: current.storageClass,
    };
  }

  async eTagOf(ref: ObjectRef): Promise<string | null> {
    return (await this.objects.head(ref.bucket, ref.key))?.eTag ?? null;
  }

  async delete(ref: ObjectRef, ifMatch: string): Promise<DeleteOutcome> {
    if (this.replaceBeforeDelete) this.objects.seed(ref.bucket, ref.key, this.replaceBeforeDelete);
    const head = await this.objects.head(ref.bucket, ref.key);
    if (!head) return 'gone';
    if (head.eTag !== ifMatch) return 'changed';
    await this.objects.delete(ref.bucket, ref.key);
    return 'deleted';
  }
}
