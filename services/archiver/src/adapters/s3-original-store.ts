import {
  GetObjectCommand,
  HeadObjectCommand,
  RestoreObjectCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { isNotFound } from '@sluice/runtime';
import {
  type ArchiveAccessStatus,
  type ArchivedObjectState,
  parseRestoreHeader,
  type RestoreParameters,
} from '../domain/restore';
import type { ObjectRef } from '../ports/archive-store';
import type { OriginalStore, RestoreRequestOutcome } from '../ports/original-store';

/** RFC 6266 attachment with an RFC 5987 UTF-8 file name (and an ASCII fallback). */
export function attachmentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

export class S3OriginalStore implements OriginalStore {
  constructor(private readonly s3: S3Client) {}

  async describe(ref: ObjectRef): Promise<ArchivedObjectState | null> {
    try {
      const head = await this.s3.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
      const restore = parseRestoreHeader(head.Restore);
      return {
        storageClass: head.StorageClass ?? 'STANDARD',
        size: head.ContentLength ?? 0,
        ...(head.ETag ? { eTag: head.ETag } : {}),
        ...(head.VersionId ? { versionId: head.VersionId } : {}),
        ...(restore ? { restore } : {}),
        ...(head.ArchiveStatus ? { archiveStatus: head.ArchiveStatus as ArchiveAccessStatus } : {}),
      };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async requestRestore(ref: ObjectRef, parameters: RestoreParameters): Promise<RestoreRequestOutcome> {
    try {
      const out = await this.s3.send(
        new RestoreObjectCommand({
          Bucket: ref.bucket,
          Key: ref.key,
          RestoreRequest: {
            ...(parameters.days !== undefined ? { Days: parameters.days } : {}),
            GlacierJobParameters: { Tier: parameters.tier },
          },
        }),
      );
      // 202: a restore started; 200: the object was restored already (its expiry is extended).
      return out.$metadata.httpStatusCode === 200 ? 'already-restored' : 'accepted';
    } catch (error) {
      if (
        error instanceof S3ServiceException &&
        (error.name === 'RestoreAlreadyInProgress' || error.$metadata.httpStatusCode === 409)
      ) {
        return 'in-progress';
      }
      throw error;
    }
  }

  async downloadUrl(
    ref: ObjectRef,
    options: { fileName: string; expiresInSeconds: number; versionId?: string },
  ): Promise<string> {
    return getSignedUrl(
      this.s3,
      new GetObjectCommand({
        Bucket: ref.bucket,
        Key: ref.key,
        VersionId: options.versionId,
        ResponseContentDisposition: attachmentDisposition(options.fileName),
      }),
      { expiresIn: options.expiresInSeconds },
    );
  }
}
