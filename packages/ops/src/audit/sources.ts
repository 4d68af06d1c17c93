import { existsSync } from 'node:fs';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { ObjectStore } from '@sluice/runtime';
import { isNotFound } from '@sluice/runtime';
import Database from 'better-sqlite3';
import type { Deployment } from '../deployment';
import { DlqTool, deadLetterPairs } from '../dlq';
import type {
  AuditStorage,
  DeadLetterEntry,
  DeadLetterReader,
  HeadResult,
  ListedObject,
  ListedVersion,
  QueueDepth,
  QueueDepthReader,
  SearchIndexEntry,
  SearchIndexReader,
} from './audit';

/** Keys in listings are asked URL-encoded (S3 would otherwise put raw control characters in XML). */
function decodeListedKey(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
}

/** The audit's reads against S3 (AWS, moto, LocalStack): paginated listings, JSON, HeadObject. */
export class S3AuditStorage implements AuditStorage {
  constructor(private readonly s3: S3Client) {}

  async list(bucket: string, prefix: string): Promise<ListedObject[]> {
    const out: ListedObject[] = [];
    for await (const page of paginateListObjectsV2(
      { client: this.s3, pageSize: 1000 },
      { Bucket: bucket, Prefix: prefix, EncodingType: 'url' },
    )) {
      for (const item of page.Contents ?? []) {
        if (!item.Key) continue;
        out.push({
          key: page.EncodingType === 'url' ? decodeListedKey(item.Key) : item.Key,
          size: item.Size ?? 0,
          ...(item.ETag ? { eTag: item.ETag } : {}),
          ...(item.LastModified ? { lastModified: item.LastModified } : {}),
        });
      }
    }
    return out;
  }

  async getJson(bucket: string, key: string): Promise<unknown | null> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return JSON.parse((await out.Body?.transformToString('utf8')) ?? '');
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async head(bucket: string, key: string): Promise<HeadResult | null> {
    try {
      const out = await this.s3.send(
        new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }),
      );
      return {
        size: out.ContentLength ?? 0,
        ...(out.ETag ? { eTag: out.ETag } : {}),
        ...(out.ChecksumSHA256 ? { checksumSha256: out.ChecksumSHA256 } : {}),
        ...(out.ChecksumType ? { checksumType: out.ChecksumType } : {}),
        ...(out.StorageClass ? { storageClass: out.StorageClass } : {}),
      };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async versions(bucket: string, prefix: string): Promise<ListedVersion[]> {
    const out: ListedVersion[] = [];
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectVersionsCommand({
          Bucket: bucket,
          Prefix: prefix,
          EncodingType: 'url',
          KeyMarker: keyMarker,
          VersionIdMarker: versionIdMarker,
        }),
      );
      for (const v of page.Versions ?? []) {
        if (!v.Key) continue;
        out.push({
          key: page.EncodingType === 'url' ? decodeListedKey(v.Key) : v.Key,
          versionId: v.VersionId ?? 'null',
          isLatest: v.IsLatest === true,
          size: v.Size ?? 0,
          ...(v.ETag ? { eTag: v.ETag } : {}),
        });
      }
      const next = page.IsTruncated ? page.NextKeyMarker : undefined;
      keyMarker = next && page.EncodingType === 'url' ? decodeListedKey(next) : next;
      versionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (keyMarker);
    return out;
  }
}

/**
 * The audit over any ObjectStore (the services' port; InMemoryObjectStore in unit tests). Listing
 * times are unknown unless `lastModified` says, so everything counts as older than the grace period.
 */
export class ObjectStoreAuditStorage implements AuditStorage {
  constructor(
    private readonly store: ObjectStore,
    private readonly lastModified?: (bucket: string, key: string) => Date | undefined,
  ) {}

  async list(bucket: string, prefix: string): Promise<ListedObject[]> {
    const keys = await this.store.listKeys(bucket, prefix, Number.MAX_SAFE_INTEGER);
    return Promise.all(
      keys.map(async (key) => {
        const head = await this.store.head(bucket, key);
        const modified = this.lastModified?.(bucket, key);
        return {
          key,
          size: head?.size ?? 0,
          ...(head?.eTag ? { eTag: head.eTag } : {}),
          ...(modified ? { lastModified: modified } : {}),
        };
      }),
    );
  }

  getJson(bucket: string, key: string): Promise<unknown | null> {
    return this.store.getJson(bucket, key);
  }

  async head(bucket: string, key: string): Promise<HeadResult | null> {
    const head = await this.store.head(bucket, key, true);
    return head
      ? {
          size: head.size,
          ...(head.eTag ? { eTag: head.eTag } : {}),
          ...(head.checksumSha256 ? { checksumSha256: head.checksumSha256 } : {}),
          ...(head.storageClass ? { storageClass: head.storageClass } : {}),
        }
      : null;
  }
}

/**
 * Every message in every dead-letter queue of the deployment, summarized (asset ids, objects). The
 * messages stay: each is hidden while read and made visible again right after (DlqTool.inspect).
 */
export class SqsDeadLetterReader implements DeadLetterReader {
  constructor(
    private readonly sqs: SQSClient,
    private readonly deployment: Deployment,
    private readonly limitPerQueue = 1000,
  ) {}

  async read(): Promise<DeadLetterEntry[]> {
    const tool = new DlqTool(this.sqs, this.deployment, undefined, { waitSeconds: 0, holdSeconds: 30 });
    const pairs = deadLetterPairs(this.deployment);
    const lists = await Promise.all(
      pairs.map(async (pair) => {
        const { messages } = await tool.inspect(pair.deadLetterQueue, this.limitPerQueue);
        return messages.map(
          (m): DeadLetterEntry => ({
            deadLetterQueue: pair.deadLetterQueue,
            queue: pair.queue,
            ...(pair.service ? { service: pair.service } : {}),
            messageId: m.messageId,
            receiveCount: m.receiveCount,
            kind: m.kind,
            objects: m.objects,
            assetIds: m.assetIds,
          }),
        );
      }),
    );
    return lists.flat();
  }
}

/** Messages waiting and in flight on every queue of the deployment (DLQs flagged). */
export class SqsQueueDepthReader implements QueueDepthReader {
  constructor(
    private readonly sqs: SQSClient,
    private readonly deployment: Deployment,
  ) {}

  async depths(): Promise<QueueDepth[]> {
    const tool = new DlqTool(this.sqs, this.deployment);
    const pairs = deadLetterPairs(this.deployment);
    const deadLetters = new Set(pairs.map((p) => p.deadLetterQueue));
    const names = [...new Set(pairs.flatMap((p) => [p.queue, p.deadLetterQueue]))];
    return Promise.all(
      names.map(async (queue) => {
        const url = this.deployment.queues[queue]?.url as string;
        const counts = await tool.counts(url);
        return { queue, ...counts, deadLetter: deadLetters.has(queue) };
      }),
    );
  }
}

/**
 * The local search index (@sluice/search's SQLite file), read-only: one row per document, with the
 * write it was built from. Opened per read so a long-lived process never holds the file.
 */
export class SqliteSearchIndexReader implements SearchIndexReader {
  readonly description: string;

  constructor(private readonly file: string) {
    this.description = `sqlite ${file}`;
  }

  async entries(): Promise<SearchIndexEntry[]> {
    if (!existsSync(this.file)) return [];
    const db = new Database(this.file, { readonly: true, fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      const table = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'documents'")
        .get();
      if (!table) return [];
      const rows = db.prepare('SELECT asset_id, tenant_id, doc FROM documents').all() as {
        asset_id: string;
        tenant_id: string;
        doc: string;
      }[];
      return rows.map((row) => {
        const doc = JSON.parse(row.doc) as { sourceSequencer?: string; processedAt?: string };
        return {
          assetId: row.asset_id,
          tenantId: row.tenant_id,
          sourceSequencer: doc.sourceSequencer ?? '',
          ...(doc.processedAt ? { processedAt: doc.processedAt } : {}),
        };
      });
    } finally {
      db.close();
    }
  }
}
