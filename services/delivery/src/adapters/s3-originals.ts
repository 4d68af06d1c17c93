import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { AssetManifest } from '@sluice/contracts';
import { archiveKey, parseUploadKey } from '@sluice/runtime';
import { quoted } from '../domain/caching';
import { type OriginalSource, OriginalUnavailableError } from '../ports/originals';
import { isConditionFailed, isInvalidObjectState, isNotFound } from './s3-errors';

/**
 * Originals where the pipeline keeps them: the ingest bucket (uploads/…), pinned to the ETag the
 * manifest was made from, until the archiver moves them to the archive bucket (originals/…), whose
 * cold classes GetObject refuses until a restore (InvalidObjectState).
 */
export class S3OriginalSource implements OriginalSource {
  constructor(
    private readonly s3: S3Client,
    private readonly buckets: { ingest: string; archive: string },
    private readonly maxBytes: number,
  ) {}

  private async bytes(out: GetObjectCommandOutput, bucket: string, key: string): Promise<Buffer> {
    const size = out.ContentLength ?? 0;
    if (size > this.maxBytes) {
      (out.Body as { destroy?: () => void } | undefined)?.destroy?.();
      throw new OriginalUnavailableError(
        'too-large',
        `The original is ${size} bytes, over the ${this.maxBytes}-byte limit of on-the-fly transforms`,
        { bucket, key },
      );
    }
    return Buffer.from((await out.Body?.transformToByteArray()) ?? []);
  }

  async read(manifest: AssetManifest): Promise<{ bytes: Buffer; from: 'ingest' | 'archive' }> {
    const ingestKey = manifest.source.key;
    try {
      const out = await this.s3.send(
        new GetObjectCommand({
          Bucket: this.buckets.ingest,
          Key: ingestKey,
          IfMatch: quoted(manifest.source.eTag),
        }),
      );
      return { bytes: await this.bytes(out, this.buckets.ingest, ingestKey), from: 'ingest' };
    } catch (error) {
      if (isConditionFailed(error)) {
        throw new OriginalUnavailableError('changed', 'The original changed since it was processed', {
          bucket: this.buckets.ingest,
          key: ingestKey,
        });
      }
      if (!isNotFound(error)) throw error;
    }

    const location = parseUploadKey(ingestKey);
    if (!location) {
      throw new OriginalUnavailableError('missing', `${ingestKey} is gone and has no archive key`);
    }
    const key = archiveKey(location);
    const bucket = this.buckets.archive;
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return { bytes: await this.bytes(out, bucket, key), from: 'archive' };
    } catch (error) {
      if (isNotFound(error)) {
        throw new OriginalUnavailableError(
          'missing',
          'The original is neither in the ingest nor the archive bucket',
        );
      }
      if (!isInvalidObjectState(error)) throw error;
    }
    const head = await this.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    const restoring = /ongoing-request\s*=\s*"true"/i.test(head.Restore ?? '');
    throw new OriginalUnavailableError(
      restoring ? 'restoring' : 'archived',
      'The original is in cold storage',
      {
        bucket,
        key,
        storageClass: head.ArchiveStatus ?? head.StorageClass,
      },
    );
  }
}
