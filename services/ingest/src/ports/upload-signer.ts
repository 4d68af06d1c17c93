export interface SignedPost {
  url: string;
  fields: Record<string, string>;
}

export interface UploadPolicy {
  bucket: string;
  key: string;
  contentType: string;
  /** Exact byte size the policy admits. */
  size: number;
  expiresInSeconds: number;
  metadata: Record<string, string>;
}

export interface UploadSigner {
  presignPost(policy: UploadPolicy): Promise<SignedPost>;
}
