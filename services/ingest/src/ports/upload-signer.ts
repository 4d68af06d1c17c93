export interface SignedPost {
  url: string;
  fields: Record<string, string>;
}

export interface UploadPolicy {
  bucket: string;
  key: string;
  contentType: string;
  /** The content-length-range the policy admits, inclusive. */
  minBytes: number;
  maxBytes: number;
  expiresInSeconds: number;
  /** User metadata (x-amz-meta-*, without the prefix), ASCII. */
  metadata: Record<string, string>;
  /** Base64 SHA-256 S3 must verify the upload against. */
  checksumSha256?: string;
}

export interface UploadSigner {
  presignPost(policy: UploadPolicy): Promise<SignedPost>;
}
