import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  type S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  type CreateMultipartInput,
  type MultipartFailure,
  MultipartUploadError,
  type MultipartUploads,
  type PartRef,
  type UploadedPart,
} from '../ports/multipart-uploads';

/** S3's answers that mean the client sent something wrong, as the port's failures. */
const FAILURES: Record<string, MultipartFailure> = {
  NoSuchUpload: 'no-such-upload',
  InvalidPart: 'invalid-part',
  InvalidPartOrder: 'invalid-part-order',
  EntityTooSmall: 'part-too-small',
};

function translate(error: unknown): never {
  if (error instanceof S3ServiceException) {
    const failure = FAILURES[error.name];
    if (failure) throw new MultipartUploadError(failure, error.message);
  }
  throw error;
}

/** At most this many pages of uploads under one key are searched (1,000 each). */
const MAX_LIST_PAGES = 5;

export class S3MultipartUploads implements MultipartUploads {
  /**
   * @param s3 for calls to S3
   * @param presigner for part URLs: a client that adds no flexible checksums to presigned URLs
   *   (requestChecksumCalculation WHEN_REQUIRED), since a browser cannot know them in advance
   */
  constructor(
    private readonly s3: S3Client,
    private readonly presigner: S3Client = s3,
  ) {}

  async create(input: CreateMultipartInput): Promise<string> {
    const out = await this.s3.send(
      new CreateMultipartUploadCommand({
        Bucket: input.bucket,
        Key: input.key,
        ContentType: input.contentType,
        Metadata: input.metadata,
      }),
    );
    if (!out.UploadId) throw new Error(`S3 returned no UploadId for ${input.key}`);
    return out.UploadId;
  }

  async isOpen(bucket: string, key: string, uploadId: string): Promise<boolean> {
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const out = await this.s3.send(
        new ListMultipartUploadsCommand({
          Bucket: bucket,
          Prefix: key,
          KeyMarker: keyMarker,
          UploadIdMarker: uploadIdMarker,
        }),
      );
      if ((out.Uploads ?? []).some((upload) => upload.Key === key && upload.UploadId === uploadId))
        return true;
      if (!out.IsTruncated) return false;
      keyMarker = out.NextKeyMarker;
      uploadIdMarker = out.NextUploadIdMarker;
    }
    return false;
  }

  signPart(input: {
    bucket: string;
    key: string;
    uploadId: string;
    partNumber: number;
    expiresInSeconds: number;
  }): Promise<string> {
    return getSignedUrl(
      this.presigner,
      new UploadPartCommand({
        Bucket: input.bucket,
        Key: input.key,
        UploadId: input.uploadId,
        PartNumber: input.partNumber,
      }),
      { expiresIn: input.expiresInSeconds },
    );
  }

  async listParts(bucket: string, key: string, uploadId: string): Promise<UploadedPart[]> {
    const parts: UploadedPart[] = [];
    let marker: string | undefined;
    try {
      for (;;) {
        const out = await this.s3.send(
          new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumberMarker: marker }),
        );
        for (const part of out.Parts ?? []) {
          if (part.PartNumber === undefined || !part.ETag) continue;
          parts.push({
            partNumber: part.PartNumber,
            eTag: part.ETag,
            size: part.Size ?? 0,
            ...(part.LastModified ? { lastModified: part.LastModified.toISOString() } : {}),
          });
        }
        if (!out.IsTruncated || !out.NextPartNumberMarker || out.NextPartNumberMarker === marker) break;
        marker = out.NextPartNumberMarker;
      }
    } catch (error) {
      translate(error);
    }
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  async complete(
    bucket: string,
    key: string,
    uploadId: string,
    parts: PartRef[],
  ): Promise<{ location: string }> {
    try {
      const out = await this.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.eTag })) },
        }),
      );
      // A URL as S3 wrote it may hold raw spaces (moto does); URL() percent-encodes them.
      return { location: out.Location ? new URL(out.Location).href : '' };
    } catch (error) {
      translate(error);
    }
  }

  async abort(bucket: string, key: string, uploadId: string): Promise<void> {
    try {
      await this.s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
    } catch (error) {
      translate(error);
    }
  }
}
