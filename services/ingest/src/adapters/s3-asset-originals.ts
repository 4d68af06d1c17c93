import {
  CopyObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { archiveKey, copySource, quarantineKey, uploadKey } from '@sluice/runtime';
import {
  type AssetOriginals,
  type OriginalLocation,
  OriginalNotReadableError,
  type OriginalPlace,
} from '../ports/asset-originals';

export class S3AssetOriginals implements AssetOriginals {
  constructor(
    private readonly s3: S3Client,
    private readonly buckets: { ingest: string; archive: string },
  ) {}

  async locate(tenantId: string, assetId: string): Promise<OriginalLocation[]> {
    const folder = { tenantId, assetId, fileName: '' };
    const places: [OriginalPlace, string, string][] = [
      ['uploads', this.buckets.ingest, uploadKey(folder)],
      ['quarantine', this.buckets.ingest, quarantineKey(folder)],
      ['archive', this.buckets.archive, archiveKey(folder)],
    ];
    const found = await Promise.all(
      places.map(async ([place, bucket, prefix]) => {
        const out = await this.s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1 }),
        );
        const key = out.Contents?.[0]?.Key;
        return key ? [{ place, bucket, key }] : [];
      }),
    );
    return found.flat();
  }

  async retrigger(from: OriginalLocation, targetKey: string): Promise<void> {
    const target = { Bucket: this.buckets.ingest, Key: targetKey };
    try {
      if (from.place === 'uploads' && from.key === targetKey) {
        // S3 refuses a copy onto itself unless something changes: replace the metadata with itself.
        const head = await this.s3.send(new HeadObjectCommand({ Bucket: from.bucket, Key: from.key }));
        await this.s3.send(
          new CopyObjectCommand({
            ...target,
            CopySource: copySource(from.bucket, from.key),
            MetadataDirective: 'REPLACE',
            ContentType: head.ContentType,
            Metadata: head.Metadata,
          }),
        );
        return;
      }
      // Back into the ingest bucket's own storage class, whatever the archive's was.
      await this.s3.send(
        new CopyObjectCommand({
          ...target,
          CopySource: copySource(from.bucket, from.key),
          StorageClass: 'STANDARD',
        }),
      );
    } catch (error) {
      if (error instanceof S3ServiceException && error.name === 'InvalidObjectState') {
        throw new OriginalNotReadableError(
          `${from.key} is in a storage class that needs a restore first (S3 RestoreObject), then reprocess again`,
        );
      }
      throw error;
    }
  }
}
