import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ifNoneMatchMatches } from '../domain/caching';
import type { NewVariant, StoredVariant, VariantStore } from '../ports/variant-store';
import {
  isConditionFailed,
  isInvalidObjectState,
  isNotFound,
  isNotModified,
  responseHeader,
} from './s3-errors';

/** A single entity tag S3 can compare itself; lists, `*` and weak tags are compared here. */
function s3Comparable(ifNoneMatch: string | undefined): string | undefined {
  const tag = ifNoneMatch?.trim();
  return tag && /^"[^",]*"$/.test(tag) ? tag : undefined;
}

/** Variants in the processed bucket: streamed reads, create-only writes. */
export class S3VariantStore implements VariantStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async open(
    key: string,
    options: { head: boolean; ifNoneMatch?: string },
  ): Promise<StoredVariant | { notModified: true; eTag: string } | null> {
    const input = { Bucket: this.bucket, Key: key, IfNoneMatch: s3Comparable(options.ifNoneMatch) };
    try {
      const out = options.head
        ? await this.s3.send(new HeadObjectCommand(input))
        : await this.s3.send(new GetObjectCommand(input));
      const eTag = out.ETag ?? '';
      const body = 'Body' in out ? (out.Body as Readable | undefined) : undefined;
      if (ifNoneMatchMatches(options.ifNoneMatch, eTag)) {
        body?.destroy();
        return { notModified: true, eTag };
      }
      return {
        eTag,
        contentType: out.ContentType ?? 'application/octet-stream',
        contentLength: out.ContentLength ?? 0,
        body,
      };
    } catch (error) {
      if (isNotModified(error)) {
        return { notModified: true, eTag: responseHeader(error, 'etag') ?? (input.IfNoneMatch as string) };
      }
      // Missing, or in an archive tier (not readable now): render it afresh.
      if (isNotFound(error) || isInvalidObjectState(error)) return null;
      throw error;
    }
  }

  async putIfAbsent(variant: NewVariant): Promise<{ eTag: string } | null> {
    try {
      const out = await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: variant.key,
          Body: variant.body,
          ContentType: variant.contentType,
          CacheControl: variant.cacheControl,
          Metadata: variant.metadata,
          IfNoneMatch: '*',
        }),
      );
      return { eTag: out.ETag ?? '' };
    } catch (error) {
      if (isConditionFailed(error)) return null;
      throw error;
    }
  }
}
