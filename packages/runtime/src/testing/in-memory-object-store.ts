import { createHash } from 'node:crypto';
import type { ObjectHead, ObjectStore, PutObjectInput, StoredObject } from '../s3-objects';

interface Entry {
  body: Buffer;
  contentType: string;
  metadata: Record<string, string>;
  storageClass: string;
  version: number;
}

/** An ObjectStore in memory, for unit tests of use cases: S3's semantics, none of its network. */
export class InMemoryObjectStore implements ObjectStore {
  readonly buckets = new Map<string, Map<string, Entry>>();
  private versions = 0;

  private bucket(name: string): Map<string, Entry> {
    let bucket = this.buckets.get(name);
    if (!bucket) {
      bucket = new Map();
      this.buckets.set(name, bucket);
    }
    return bucket;
  }

  private headOf(entry: Entry, withChecksum: boolean): ObjectHead {
    return {
      size: entry.body.length,
      eTag: `"${createHash('md5').update(entry.body).digest('hex')}"`,
      versionId: String(entry.version),
      contentType: entry.contentType,
      storageClass: entry.storageClass,
      metadata: { ...entry.metadata },
      ...(withChecksum ? { checksumSha256: createHash('sha256').update(entry.body).digest('base64') } : {}),
    };
  }

  /** Test setup: puts an object as any S3 client would. */
  seed(bucket: string, key: string, body: Buffer | string, contentType = 'application/octet-stream'): void {
    this.bucket(bucket).set(key, {
      body: Buffer.from(body),
      contentType,
      metadata: {},
      storageClass: 'STANDARD',
      version: ++this.versions,
    });
  }

  keys(bucket: string): string[] {
    return [...this.bucket(bucket).keys()].sort();
  }

  async get(bucket: string, key: string): Promise<StoredObject | null> {
    const entry = this.bucket(bucket).get(key);
    return entry ? { ...this.headOf(entry, false), body: Buffer.from(entry.body) } : null;
  }

  async head(bucket: string, key: string, withChecksum = false): Promise<ObjectHead | null> {
    const entry = this.bucket(bucket).get(key);
    return entry ? this.headOf(entry, withChecksum) : null;
  }

  async getJson<T = unknown>(bucket: string, key: string): Promise<T | null> {
    const entry = this.bucket(bucket).get(key);
    return entry ? (JSON.parse(entry.body.toString('utf8')) as T) : null;
  }

  async put(input: PutObjectInput): Promise<void> {
    this.bucket(input.bucket).set(input.key, {
      body: Buffer.from(input.body),
      contentType: input.contentType,
      metadata: { ...input.metadata },
      storageClass: 'STANDARD',
      version: ++this.versions,
    });
  }

  async putJson(bucket: string, key: string, doc: unknown): Promise<void> {
    await this.put({
      bucket,
      key,
      body: `${JSON.stringify(doc, null, 2)}\n`,
      contentType: 'application/json',
    });
  }

  async listKeys(bucket: string, prefix: string, limit = 1000): Promise<string[]> {
    return this.keys(bucket)
      .filter((key) => key.startsWith(prefix))
      .slice(0, limit);
  }

  async copy(
    source: { bucket: string; key: string },
    target: { bucket: string; key: string },
    storageClass = 'STANDARD',
  ): Promise<void> {
    const entry = this.bucket(source.bucket).get(source.key);
    if (!entry) throw Object.assign(new Error(`NoSuchKey: ${source.key}`), { name: 'NoSuchKey' });
    this.bucket(target.bucket).set(target.key, { ...entry, storageClass, version: ++this.versions });
  }

  async delete(bucket: string, key: string): Promise<void> {
    this.bucket(bucket).delete(key);
  }
}
