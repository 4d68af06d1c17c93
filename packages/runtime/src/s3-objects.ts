import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';

export interface ObjectHead {
  size: number;
  eTag?: string;
  versionId?: string;
  contentType?: string;
  storageClass?: string;
  metadata: Record<string, string>;
  checksumSha256?: string;
}

export interface StoredObject extends ObjectHead {
  body: Buffer;
}

export interface PutObjectInput {
  bucket: string;
  key: string;
  body: Buffer | string;
  contentType: string;
  cacheControl?: string;
  metadata?: Record<string, string>;
}

/** The CopySource header value: bucket and URL-encoded key, slashes kept. */
export function copySource(bucket: string, key: string): string {
  return `${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`;
}

export function isNotFound(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.name === 'NoSuchKey' || error.name === 'NotFound' || error.$metadata.httpStatusCode === 404)
  );
}

/** The handful of object operations the services share, with "missing" as null, not an error. */
export interface ObjectStore {
  get(bucket: string, key: string): Promise<StoredObject | null>;
  head(bucket: string, key: string, withChecksum?: boolean): Promise<ObjectHead | null>;
  getJson<T = unknown>(bucket: string, key: string): Promise<T | null>;
  put(input: PutObjectInput): Promise<void>;
  putJson(bucket: string, key: string, doc: unknown): Promise<void>;
  listKeys(bucket: string, prefix: string, limit?: number): Promise<string[]>;
  copy(source: { bucket: string; key: string }, target: { bucket: string; key: string }): Promise<void>;
  delete(bucket: string, key: string): Promise<void>;
}

export class S3Objects implements ObjectStore {
  constructor(private readonly s3: S3Client) {}

  async get(bucket: string, key: string): Promise<StoredObject | null> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const body = Buffer.from(
        await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
      );
      return {
        body,
        size: body.length,
        eTag: out.ETag,
        versionId: out.VersionId,
        contentType: out.ContentType,
        storageClass: out.StorageClass,
        metadata: out.Metadata ?? {},
        checksumSha256: out.ChecksumSHA256,
      };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async head(bucket: string, key: string, withChecksum = false): Promise<ObjectHead | null> {
    try {
      const out = await this.s3.send(
        new HeadObjectCommand({
          Bucket: bucket,
          Key: key,
          ChecksumMode: withChecksum ? 'ENABLED' : undefined,
        }),
      );
      return {
        size: out.ContentLength ?? 0,
        eTag: out.ETag,
        versionId: out.VersionId,
        contentType: out.ContentType,
        storageClass: out.StorageClass,
        metadata: out.Metadata ?? {},
        checksumSha256: out.ChecksumSHA256,
      };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async getJson<T = unknown>(bucket: string, key: string): Promise<T | null> {
    const object = await this.get(bucket, key);
    return object ? (JSON.parse(object.body.toString('utf8')) as T) : null;
  }

  async put(input: PutObjectInput): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: input.bucket,
        Key: input.key,
        Body: input.body,
        ContentType: input.contentType,
        CacheControl: input.cacheControl,
        Metadata: input.metadata,
      }),
    );
  }

  async putJson(bucket: string, key: string, doc: unknown): Promise<void> {
    await this.put({
      bucket,
      key,
      body: `${JSON.stringify(doc, null, 2)}\n`,
      contentType: 'application/json',
    });
  }

  /** Up to `limit` keys under a prefix, in key order. */
  async listKeys(bucket: string, prefix: string, limit = 1000): Promise<string[]> {
    const out = await this.s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: limit }),
    );
    return (out.Contents ?? []).flatMap((item) => (item.Key ? [item.Key] : []));
  }

  /** Server-side copy within or across buckets, keeping the object's metadata. */
  async copy(
    source: { bucket: string; key: string },
    target: { bucket: string; key: string },
  ): Promise<void> {
    await this.s3.send(
      new CopyObjectCommand({
        Bucket: target.bucket,
        Key: target.key,
        CopySource: copySource(source.bucket, source.key),
      }),
    );
  }

  async delete(bucket: string, key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  }
}
