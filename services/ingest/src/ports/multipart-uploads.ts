export interface UploadedPart {
  partNumber: number;
  eTag: string;
  size: number;
  lastModified?: string;
}

export interface PartRef {
  partNumber: number;
  eTag: string;
}

export interface CreateMultipartInput {
  bucket: string;
  key: string;
  contentType: string;
  metadata: Record<string, string>;
}

/** What S3 refused in a multipart call that the client got wrong (not a fault of ours). */
export type MultipartFailure = 'no-such-upload' | 'invalid-part' | 'invalid-part-order' | 'part-too-small';

export class MultipartUploadError extends Error {
  constructor(
    readonly failure: MultipartFailure,
    message: string,
  ) {
    super(message);
    this.name = 'MultipartUploadError';
  }
}

/** S3 multipart uploads, as the multipart routes need them. */
export interface MultipartUploads {
  /** Starts an upload; its uploadId. */
  create(input: CreateMultipartInput): Promise<string>;
  /** Whether uploadId is an upload in progress for exactly this key. */
  isOpen(bucket: string, key: string, uploadId: string): Promise<boolean>;
  /** A presigned UploadPart URL. */
  signPart(input: {
    bucket: string;
    key: string;
    uploadId: string;
    partNumber: number;
    expiresInSeconds: number;
  }): Promise<string>;
  /** Every part uploaded so far, in part number order. */
  listParts(bucket: string, key: string, uploadId: string): Promise<UploadedPart[]>;
  /** Assembles the object; its URL. */
  complete(bucket: string, key: string, uploadId: string, parts: PartRef[]): Promise<{ location: string }>;
  abort(bucket: string, key: string, uploadId: string): Promise<void>;
}
