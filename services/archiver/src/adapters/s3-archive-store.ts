import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  type S3Client,
  S3ServiceException,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { copySource, isNotFound } from '@sluice/runtime';
import type { SourceDigest } from '../domain/checksum';
import { ArchiveVerificationError } from '../domain/errors';
import { PartHasher } from '../domain/part-hasher';
import { planParts } from '../domain/parts';
import type {
  ArchivedCopy,
  ArchiveStore,
  CopyOptions,
  DeleteOutcome,
  MultipartCopyOptions,
  ObjectRef,
} from '../ports/archive-store';
import { mapWithConcurrency } from './concurrency';

function isPreconditionFailed(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.name === 'PreconditionFailed' || error.$metadata.httpStatusCode === 412)
  );
}

/** The headers a copy must carry over by hand when it is not a CopyObject with MetadataDirective COPY. */
function keptHeaders(head: HeadObjectCommandOutput) {
  return {
    Metadata: head.Metadata,
    ContentType: head.ContentType,
    CacheControl: head.CacheControl,
    ContentDisposition: head.ContentDisposition,
    ContentEncoding: head.ContentEncoding,
    ContentLanguage: head.ContentLanguage,
  };
}

export class S3ArchiveStore implements ArchiveStore {
  constructor(private readonly s3: S3Client) {}

  async copy(source: ObjectRef, target: ObjectRef, options: CopyOptions): Promise<void> {
    await this.s3.send(
      new CopyObjectCommand({
        Bucket: target.bucket,
        Key: target.key,
        CopySource: copySource(source.bucket, source.key),
        CopySourceIfMatch: options.sourceETag,
        StorageClass: options.storageClass,
        MetadataDirective: 'COPY',
        TaggingDirective: 'COPY',
        ChecksumAlgorithm: 'SHA256',
      }),
    );
  }

  async multipartCopy(
    source: ObjectRef,
    target: ObjectRef,
    options: MultipartCopyOptions,
  ): Promise<SourceDigest> {
    const head = await this.s3.send(
      new HeadObjectCommand({ Bucket: source.bucket, Key: source.key, IfMatch: options.sourceETag }),
    );
    const created = await this.s3.send(
      new CreateMultipartUploadCommand({
        Bucket: target.bucket,
        Key: target.key,
        StorageClass: options.storageClass,
        ChecksumAlgorithm: 'SHA256',
        ChecksumType: 'COMPOSITE',
        ...keptHeaders(head),
      }),
    );
    const uploadId = created.UploadId;
    if (!uploadId) throw new Error(`S3 returned no upload id for ${target.key}`);
    const abort = new AbortController();
    try {
      const ranges = planParts(options.sourceSize, options.partSize);
      const [copied, digest] = await Promise.all([
        mapWithConcurrency(ranges, options.concurrency, (range) =>
          this.s3.send(
            new UploadPartCopyCommand({
              Bucket: target.bucket,
              Key: target.key,
              UploadId: uploadId,
              PartNumber: range.partNumber,
              CopySource: copySource(source.bucket, source.key),
              CopySourceIfMatch: options.sourceETag,
              CopySourceRange: `bytes=${range.first}-${range.last}`,
            }),
            { abortSignal: abort.signal },
          ),
        ),
        this.digest(
          source,
          { eTag: options.sourceETag, size: options.sourceSize, partSize: options.partSize },
          abort.signal,
        ),
      ]);
      const parts = ranges.map((range, index) => {
        const result = copied[index]?.CopyPartResult;
        const ours = digest.partDigests[index];
        if (!result?.ETag || !ours) throw new Error(`S3 returned no ETag for part ${range.partNumber}`);
        // S3 reports each copied part's SHA-256; moto 5.2.1 does not (the composite check covers it).
        if (result.ChecksumSHA256 && result.ChecksumSHA256 !== ours) {
          throw new ArchiveVerificationError(
            `Part ${range.partNumber} of ${target.key} hashes differently from the original's bytes`,
          );
        }
        return { PartNumber: range.partNumber, ETag: result.ETag, ChecksumSHA256: ours };
      });
      // S3 checks each part's SHA-256 against the digests sent here before it assembles the object.
      await this.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: target.bucket,
          Key: target.key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
      return digest;
    } catch (error) {
      abort.abort();
      await this.s3
        .send(new AbortMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, UploadId: uploadId }))
        .catch(() => {
          // Left for the bucket's abort-incomplete-multipart-uploads lifecycle rule.
        });
      throw error;
    }
  }

  async digest(
    source: ObjectRef,
    options: { eTag: string; size: number; partSize: number },
    abortSignal?: AbortSignal,
  ): Promise<SourceDigest> {
    const out = await this.s3.send(
      new GetObjectCommand({ Bucket: source.bucket, Key: source.key, IfMatch: options.eTag }),
      { abortSignal },
    );
    const body = out.Body as AsyncIterable<Uint8Array> | undefined;
    if (!body) throw new Error(`S3 returned no body for ${source.key}`);
    const hasher = new PartHasher(options.partSize);
    for await (const chunk of body) hasher.update(chunk);
    const digest = hasher.digest();
    if (digest.size !== options.size) {
      throw new ArchiveVerificationError(
        `Read ${digest.size} bytes of ${source.key}, expected ${options.size}`,
      );
    }
    return digest;
  }

  async inspect(target: ObjectRef): Promise<ArchivedCopy | null> {
    let head: HeadObjectCommandOutput;
    try {
      head = await this.s3.send(
        new HeadObjectCommand({ Bucket: target.bucket, Key: target.key, ChecksumMode: 'ENABLED' }),
      );
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
    const multipart = head.ChecksumType === 'COMPOSITE' || /-\d+"?$/.test(head.ETag ?? '');
    let firstPartSize: number | undefined;
    if (multipart) {
      const first = await this.s3.send(
        new HeadObjectCommand({
          Bucket: target.bucket,
          Key: target.key,
          PartNumber: 1,
          VersionId: head.VersionId,
        }),
      );
      firstPartSize = first.ContentLength;
    }
    return {
      size: head.ContentLength ?? 0,
      checksumSha256: head.ChecksumSHA256,
      checksumType: multipart ? 'COMPOSITE' : 'FULL_OBJECT',
      ...(firstPartSize !== undefined ? { firstPartSize } : {}),
      versionId: head.VersionId,
      storageClass: head.StorageClass ?? 'STANDARD',
    };
  }

  async eTagOf(ref: ObjectRef): Promise<string | null> {
    try {
      const head = await this.s3.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
      return head.ETag ?? '';
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async delete(ref: ObjectRef, ifMatch: string): Promise<DeleteOutcome> {
    try {
      await this.s3.send(new DeleteObjectCommand({ Bucket: ref.bucket, Key: ref.key, IfMatch: ifMatch }));
      return 'deleted';
    } catch (error) {
      if (isPreconditionFailed(error)) return 'changed';
      if (isNotFound(error)) return 'gone';
      throw error;
    }
  }
}
