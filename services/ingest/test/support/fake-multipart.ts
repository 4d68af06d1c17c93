import { createHash, randomUUID } from 'node:crypto';
import {
  type CreateMultipartInput,
  MultipartUploadError,
  type MultipartUploads,
  type PartRef,
  type UploadedPart,
} from '../../src/ports/multipart-uploads';

interface Upload {
  bucket: string;
  key: string;
  contentType: string;
  metadata: Record<string, string>;
  parts: Map<number, { eTag: string; size: number }>;
}

/** S3 multipart semantics in memory: upload ids bound to their key, as on AWS. */
export class FakeMultipartUploads implements MultipartUploads {
  readonly uploads = new Map<string, Upload>();
  readonly completed: { key: string; parts: PartRef[] }[] = [];
  readonly aborted: string[] = [];

  async create(input: CreateMultipartInput): Promise<string> {
    const uploadId = randomUUID().replace(/-/g, '');
    this.uploads.set(uploadId, { ...input, parts: new Map() });
    return uploadId;
  }

  /** Test setup: a part as a client's PUT would leave it. */
  uploadPart(uploadId: string, partNumber: number, size: number): string {
    const eTag = `"${createHash('md5').update(`${uploadId}:${partNumber}:${size}`).digest('hex')}"`;
    this.uploads.get(uploadId)?.parts.set(partNumber, { eTag, size });
    return eTag;
  }

  private find(bucket: string, key: string, uploadId: string): Upload {
    const upload = this.uploads.get(uploadId);
    if (!upload || upload.bucket !== bucket || upload.key !== key) {
      throw new MultipartUploadError('no-such-upload', 'The specified upload does not exist');
    }
    return upload;
  }

  async isOpen(bucket: string, key: string, uploadId: string): Promise<boolean> {
    const upload = this.uploads.get(uploadId);
    return upload !== undefined && upload.bucket === bucket && upload.key === key;
  }

  async signPart(input: {
    bucket: string;
    key: string;
    uploadId: string;
    partNumber: number;
  }): Promise<string> {
    return `https://s3.example/${input.bucket}/${encodeURI(input.key)}?uploadId=${input.uploadId}&partNumber=${input.partNumber}`;
  }

  async listParts(bucket: string, key: string, uploadId: string): Promise<UploadedPart[]> {
    const upload = this.find(bucket, key, uploadId);
    return [...upload.parts.entries()]
      .sort(([a], [b]) => a - b)
      .map(([partNumber, part]) => ({ partNumber, ...part }));
  }

  async complete(
    bucket: string,
    key: string,
    uploadId: string,
    parts: PartRef[],
  ): Promise<{ location: string }> {
    this.find(bucket, key, uploadId);
    this.uploads.delete(uploadId);
    this.completed.push({ key, parts });
    return { location: `https://${bucket}.s3.amazonaws.com/${encodeURI(key)}` };
  }

  async abort(bucket: string, key: string, uploadId: string): Promise<void> {
    this.find(bucket, key, uploadId);
    this.uploads.delete(uploadId);
    this.aborted.push(uploadId);
  }
}
