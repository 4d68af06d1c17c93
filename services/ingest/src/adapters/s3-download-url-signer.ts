import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { DownloadUrlSigner } from '../ports/download-url-signer';

/** Presigned GETs; signing is local (no request to S3). */
export class S3DownloadUrlSigner implements DownloadUrlSigner {
  constructor(private readonly s3: S3Client) {}

  presignGet(bucket: string, key: string, expiresInSeconds: number): Promise<string> {
    return getSignedUrl(this.s3, new GetObjectCommand({ Bucket: bucket, Key: key }), {
      expiresIn: expiresInSeconds,
    });
  }
}
