import type { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import type { SignedPost, UploadPolicy, UploadSigner } from '../ports/upload-signer';

/** A presigned POST whose policy pins the key, the exact size, the content type and the metadata. */
export class S3UploadSigner implements UploadSigner {
  constructor(private readonly s3: S3Client) {}

  async presignPost(policy: UploadPolicy): Promise<SignedPost> {
    const metaFields = Object.fromEntries(
      Object.entries(policy.metadata).map(([name, value]) => [`x-amz-meta-${name}`, value]),
    );
    const fields = { 'Content-Type': policy.contentType, ...metaFields };
    return createPresignedPost(this.s3, {
      Bucket: policy.bucket,
      Key: policy.key,
      Fields: fields,
      Conditions: [
        ['content-length-range', policy.size, policy.size],
        ...Object.entries(fields).map(([name, value]) => ({ [name]: value })),
      ],
      Expires: policy.expiresInSeconds,
    });
  }
}
