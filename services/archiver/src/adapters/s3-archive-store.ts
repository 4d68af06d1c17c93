import { CopyObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { copySource, type ObjectStore } from '@sluice/runtime';
import type { ArchiveStorageClass } from '../domain/storage-class';
import type { ArchivedCopy, ArchiveStore, ObjectRef } from '../ports/archive-store';

export class S3ArchiveStore implements ArchiveStore {
  constructor(
    private readonly s3: S3Client,
    private readonly objects: ObjectStore,
  ) {}

  async copy(source: ObjectRef, target: ObjectRef, storageClass: ArchiveStorageClass): Promise<void> {
    await this.s3.send(
      new CopyObjectCommand({
        Bucket: target.bucket,
        Key: target.key,
        CopySource: copySource(source.bucket, source.key),
        StorageClass: storageClass,
        MetadataDirective: 'COPY',
        ChecksumAlgorithm: 'SHA256',
      }),
    );
  }

  async inspect(target: ObjectRef): Promise<ArchivedCopy | null> {
    const head = await this.objects.head(target.bucket, target.key, true);
    if (!head) return null;
    return {
      checksumSha256: head.checksumSha256,
      versionId: head.versionId,
      storageClass: head.storageClass,
    };
  }

  async eTagOf(ref: ObjectRef): Promise<string | null> {
    const head = await this.objects.head(ref.bucket, ref.key);
    return head ? (head.eTag ?? '') : null;
  }

  async delete(ref: ObjectRef): Promise<void> {
    await this.objects.delete(ref.bucket, ref.key);
  }
}
