import type { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import type { SignedPost, UploadPolicy, UploadSigner } from '../ports/upload-signer';

/**
 * A presigned POST whose policy pins the key, the content-length-range, the content type, the
 * metadata and, when given, the SHA-256 S3 must verify. Every form field is also a policy condition,
 * so the client can change none of them.
 */
export class S3UploadSigner implements UploadSigner {
  constructor(private readonly s3: S3Client) {}

  async presignPost(policy: UploadPolicy): Promise<SignedPost> {
    const fields: Record<string, string> = { 'Content-Type': policy.contentType };
    for (const [name, value] of Object.entries(policy.metadata)) fields[`x-amz-meta-${name}`] = value;
    if (policy.checksumSha256) {
      fields['x-amz-checksum-algorithm'] = 'SHA256';
      fields['x-amz-checksum-sha256'] = policy.checksumSha256;
    }
    return createPresignedPost(this.s3, {
      Bucket: policy.bucket,
      Key: policy.key,
      Fields: fields,
      Conditions: [
        ['content-length-range', policy.minBytes, policy.maxBytes],
        ...Object.entries(fields).map(([name, value]) => ({ [name]: value })),
      ],
      Expires: policy.expiresInSeconds,
    });
  }
}
