import { createHash } from 'node:crypto';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { copySource, isNotFound } from '@sluice/runtime';
import { mayReplace } from '../domain/ordering';
import type {
  OriginalHead,
  OriginalStore,
  OutputObject,
  OutputStore,
  StoredManifest,
} from '../ports/storage';

/** User metadata on every processed object: the S3 sequencer of the upload write it was made from. */
export const SEQUENCER_METADATA = 'source-sequencer';
/** Compare-and-swap attempts before giving up (the record is then retried by SQS). */
const CAS_ATTEMPTS = 5;

/** 412 Precondition Failed, or 409 when a concurrent write raced a conditional request. */
export function isConditionFailed(error: unknown): boolean {
  if (!(error instanceof S3ServiceException)) return false;
  const status = error.$metadata.httpStatusCode;
  return (
    status === 412 ||
    status === 409 ||
    error.name === 'PreconditionFailed' ||
    error.name === 'ConditionalRequestConflict'
  );
}

type Body = AsyncIterable<Uint8Array> & { transformToByteArray(): Promise<Uint8Array> };

/** The ingest bucket: reads pinned to an ETag, streamed hashing, conditional quarantine. */
export class S3OriginalStore implements OriginalStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async head(key: string): Promise<OriginalHead | null> {
    try {
      const out = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        size: out.ContentLength ?? 0,
        eTag: out.ETag ?? '',
        contentType: out.ContentType,
        versionId: out.VersionId,
      };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  private async body(key: string, eTag: string, range?: string): Promise<Body | null> {
    try {
      const out = await this.s3.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, IfMatch: eTag, Range: range }),
      );
      return out.Body as unknown as Body;
    } catch (error) {
      if (isNotFound(error) || isConditionFailed(error)) return null;
      throw error;
    }
  }

  async read(key: string, eTag: string): Promise<Buffer | null> {
    const body = await this.body(key, eTag);
    return body ? Buffer.from(await body.transformToByteArray()) : null;
  }

  async readStart(key: string, eTag: string, length: number): Promise<Buffer | null> {
    const body = await this.body(key, eTag, `bytes=0-${length - 1}`);
    return body ? Buffer.from(await body.transformToByteArray()) : null;
  }

  async sha256(key: string, eTag: string): Promise<string | null> {
    const body = await this.body(key, eTag);
    if (!body) return null;
    const hash = createHash('sha256');
    for await (const chunk of body) hash.update(chunk);
    return hash.digest('hex');
  }

  async quarantine(key: string, eTag: string, quarantineKey: string): Promise<'moved' | 'changed'> {
    try {
      await this.s3.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: quarantineKey,
          CopySource: copySource(this.bucket, key),
          CopySourceIfMatch: eTag,
        }),
      );
    } catch (error) {
      if (isNotFound(error) || isConditionFailed(error)) return 'changed';
      throw error;
    }
    try {
      // Conditional delete: a newer upload of the same key is never removed.
      await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key, IfMatch: eTag }));
    } catch (error) {
      if (!isNotFound(error) && !isConditionFailed(error)) throw error;
    }
    return 'moved';
  }
}

/** The processed bucket: writes are compare-and-swap on the source sequencer. */
export class S3OutputStore implements OutputStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async getManifest(key: string): Promise<StoredManifest | null> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const text = await (out.Body as unknown as Body | undefined)?.transformToByteArray();
      let doc: unknown;
      try {
        doc = JSON.parse(Buffer.from(text ?? []).toString('utf8'));
      } catch {
        doc = undefined;
      }
      return { doc, eTag: out.ETag ?? '' };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  private async currentSequencer(key: string): Promise<{ eTag: string; sequencer?: string } | null> {
    try {
      const out = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { eTag: out.ETag ?? '', sequencer: out.Metadata?.[SEQUENCER_METADATA] };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async putUnlessNewer(object: OutputObject): Promise<'written' | 'superseded'> {
    // First try: create-only, which needs no HEAD when the key is new (the common case).
    let condition: { IfNoneMatch?: string; IfMatch?: string } = { IfNoneMatch: '*' };
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      try {
        await this.s3.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: object.key,
            Body: object.body,
            ContentType: object.contentType,
            CacheControl: object.cacheControl,
            Metadata: { [SEQUENCER_METADATA]: object.sequencer },
            ...condition,
          }),
        );
        return 'written';
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
      }
      const current = await this.currentSequencer(object.key);
      if (current && !mayReplace(current.sequencer, object.sequencer)) return 'superseded';
      condition = current ? { IfMatch: current.eTag } : { IfNoneMatch: '*' };
    }
    throw new Error(`${object.key}: still contended after ${CAS_ATTEMPTS} conditional writes`);
  }

  async deleteUnlessNewer(key: string, sequencer: string): Promise<'deleted' | 'kept'> {
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const current = await this.currentSequencer(key);
      if (!current) return 'deleted';
      if (current.sequencer !== undefined && !mayReplace(current.sequencer, sequencer)) return 'kept';
      try {
        await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key, IfMatch: current.eTag }));
        return 'deleted';
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
      }
    }
    throw new Error(`${key}: still contended after ${CAS_ATTEMPTS} conditional deletes`);
  }
}
