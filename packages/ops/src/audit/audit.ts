import { type AssetManifest, type IndexDocument, type RejectionRecord, validate } from '@sluice/contracts';
import {
  archiveKey,
  isAssetId,
  isTenantId,
  parseArchiveKey,
  parseManifestKey,
  parseUploadKey,
} from '@sluice/runtime';

/**
 * The audit: reconciles the ingest, processed and archive buckets, the search index and the
 * dead-letter queues, asset by asset, against what the pipeline promises: every upload ends
 * processed, indexed and archived, or rejected with a reason (its original in quarantine), or
 * waits in a DLQ for a redrive. Anything else is a finding: stuck, orphaned or inconsistent.
 *
 * Pure logic over ports (AuditStorage, DeadLetterReader, QueueDepthReader, SearchIndexReader);
 * the S3/SQS/SQLite adapters are in ./sources.ts.
 */

/** One object of a listing. */
export interface ListedObject {
  key: string;
  size: number;
  eTag?: string;
  /** Unknown (in-memory stores): treated as older than any grace period. */
  lastModified?: Date;
}

/** One version of an object in a versioned bucket (delete markers left out). */
export interface ListedVersion {
  key: string;
  versionId: string;
  isLatest: boolean;
  size: number;
  eTag?: string;
}

export interface HeadResult {
  size: number;
  eTag?: string;
  /** Base64 SHA-256 (full object), or `<base64>-<parts>` for a composite multipart checksum. */
  checksumSha256?: string;
  checksumType?: string;
  storageClass?: string;
}

/** What the audit reads from S3 (or a fake of it). */
export interface AuditStorage {
  /** Every object under a prefix, all pages. */
  list(bucket: string, prefix: string): Promise<ListedObject[]>;
  /** A JSON document, or null when missing. Throws on malformed JSON (reported as invalid). */
  getJson(bucket: string, key: string): Promise<unknown | null>;
  /** HeadObject with its SHA-256 checksum; null when missing. */
  head(bucket: string, key: string): Promise<HeadResult | null>;
  /** Every version under a prefix (versioned buckets); leave out where versions are unknown. */
  versions?(bucket: string, prefix: string): Promise<ListedVersion[]>;
}

/** A message waiting in a dead-letter queue. */
export interface DeadLetterEntry {
  deadLetterQueue: string;
  /** The queue it was dead-lettered from, and the service that queue feeds. */
  queue: string;
  service?: string;
  messageId: string;
  receiveCount: number;
  kind: string;
  /** bucket/key of each S3 object the message names. */
  objects: string[];
  assetIds: string[];
}

export interface DeadLetterReader {
  read(): Promise<DeadLetterEntry[]>;
}

export interface QueueDepth {
  queue: string;
  visible: number;
  inFlight: number;
  deadLetter: boolean;
}

export interface QueueDepthReader {
  depths(): Promise<QueueDepth[]>;
}

/** One document of the search index (the SQLite file locally). */
export interface SearchIndexEntry {
  tenantId: string;
  assetId: string;
  sourceSequencer: string;
  processedAt?: string;
}

export interface SearchIndexReader {
  /** What it is, for the report: `sqlite /path/to/search-index.db`. */
  readonly description: string;
  entries(): Promise<SearchIndexEntry[]>;
}

export interface AuditBuckets {
  ingest: string;
  processed: string;
  archive: string;
}

export interface AuditInput {
  storage: AuditStorage;
  buckets: AuditBuckets;
  deadLetters?: DeadLetterReader;
  queues?: QueueDepthReader;
  search?: SearchIndexReader;
  /**
   * Work younger than this is "in flight", not a problem: an upload without a manifest yet, a
   * manifest not yet indexed or archived. Default 900 s (S3 events can take a minute or more, the
   * archiver may run 15 minutes on a multi-GB copy).
   */
  graceSeconds?: number;
  /** HeadObject each archived original to compare its SHA-256 with the manifest's. Default true. */
  verifyArchive?: boolean;
  /** Requests in flight at once. Default 16. */
  concurrency?: number;
  now?: () => Date;
}

/** Every kind of finding, what it means, and whether it is a problem or still in flight. */
export const FINDING_KINDS = {
  'dead-lettered': 'a message about the asset waits in a dead-letter queue',
  'dead-letter-unattributed': 'a dead-lettered message that names no asset (poison or foreign)',
  'stuck-upload': 'an upload that was neither processed nor rejected within the grace period',
  'unrecognized-upload':
    'an object under uploads/ outside uploads/{tenantId}/{assetId}/{fileName}: never processed',
  'invalid-document': 'a manifest, rejection record or index document that breaks its contract',
  'missing-rendition': 'a rendition the manifest lists is not in the processed bucket',
  'orphaned-rendition': 'a rendition no manifest lists',
  'not-indexed': 'a manifest with no index document (or an older one) after the grace period',
  'missing-from-search': 'a processed asset the search index lacks (or holds in an older version)',
  'orphaned-search-entry': 'a search index entry without a manifest',
  'orphaned-index-document': 'an index document without a manifest',
  'not-archived': 'a processed asset whose original is still in the ingest bucket after the grace period',
  'original-not-deleted': 'an archived original still in the ingest bucket after the grace period',
  'archive-mismatch': 'the archived original is not the bytes the manifest describes',
  'duplicate-archive-copy': 'the archive holds the same original more than once (identical versions)',
  'original-lost': 'a processed asset whose original is neither in the ingest nor in the archive bucket',
  'orphaned-archive': 'an archived original without a manifest',
  'not-quarantined': 'a rejected asset whose original is still in uploads/ after the grace period',
  'quarantine-lost': 'a rejected asset whose original is neither in quarantine nor in uploads/',
  'quarantined-without-record': 'an object in quarantine/ without its rejection record',
  'outputs-of-rejected': 'renditions or index documents of an asset that was only ever rejected',
} as const;

export type FindingKind = keyof typeof FINDING_KINDS;

export interface AuditFinding {
  kind: FindingKind;
  /** `problem` counts; `in-flight` is younger than the grace period and only reported. */
  severity: 'problem' | 'in-flight';
  assetId?: string;
  tenantId?: string;
  message: string;
  /** Objects involved, as bucket/key. */
  objects: string[];
  /** What to do about it. */
  hint?: string;
}

export type AssetState = 'complete' | 'rejected' | 'in-flight' | 'dead-lettered' | 'broken';

export interface AssetAudit {
  assetId: string;
  tenantId?: string;
  state: AssetState;
}

export interface AuditReport {
  auditedAt: string;
  graceSeconds: number;
  buckets: AuditBuckets;
  counts: {
    uploads: number;
    quarantined: number;
    manifests: number;
    renditions: number;
    indexDocuments: number;
    rejections: number;
    archived: number;
    deadLetters: number;
    searchEntries?: number;
  };
  searchIndex?: string;
  queues: QueueDepth[];
  assets: AssetAudit[];
  states: Record<AssetState, number>;
  findings: AuditFinding[];
  /** Findings of severity `problem`. */
  problems: number;
}

interface AssetObjects {
  assetId: string;
  tenantId?: string;
  uploads: ListedObject[];
  quarantined: ListedObject[];
  manifest?: ListedObject;
  renditions: ListedObject[];
  indexDocuments: ListedObject[];
  rejection?: ListedObject;
  archived: ListedObject[];
  deadLetters: DeadLetterEntry[];
}

const DEFAULT_GRACE_SECONDS = 900;

/** Runs `fn` over `items`, at most `limit` at a time, answers in order. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
  return out;
}

const hexToBase64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
const stripQuotes = (eTag: string | undefined) => eTag?.replace(/^"|"$/g, '');

/** The search index's document version (what @sluice/search's documentVersion orders by). */
function versionOf(sourceSequencer: string, processedAt: string | undefined): string {
  return `${sourceSequencer.toUpperCase().padStart(40, '0')}|${processedAt ?? ''}`;
}

/** Reads a JSON document and checks it against its contract; the reason when it does not hold. */
async function readDocument<T>(
  storage: AuditStorage,
  bucket: string,
  key: string,
  contract: 'asset-manifest/v1' | 'rejection-record/v1' | 'index-document/v1',
): Promise<{ doc: T } | { missing: true } | { invalid: string }> {
  let raw: unknown;
  try {
    raw = await storage.getJson(bucket, key);
  } catch (error) {
    return { invalid: `not JSON (${(error as Error).message})` };
  }
  if (raw === null) return { missing: true };
  const result = validate(contract, raw);
  return result.ok ? { doc: result.value as T } : { invalid: result.errors.join('; ') };
}

/** The audit itself: lists everything once, then judges each asset. */
export async function auditPipeline(input: AuditInput): Promise<AuditReport> {
  const { storage, buckets } = input;
  const now = (input.now ?? (() => new Date()))();
  const graceSeconds = input.graceSeconds ?? DEFAULT_GRACE_SECONDS;
  const concurrency = input.concurrency ?? 16;
  const verifyArchive = input.verifyArchive ?? true;
  const findings: AuditFinding[] = [];
  const at = (bucket: string, key: string) => `${bucket}/${key}`;
  /** Younger than the grace period (unknown times count as old). */
  const young = (...objects: (ListedObject | undefined)[]) =>
    objects.some(
      (o) => o?.lastModified !== undefined && now.getTime() - o.lastModified.getTime() < graceSeconds * 1000,
    );

  // Queue depths first: reading the DLQs hides their messages for a moment (they show as in flight).
  const queues = (await input.queues?.depths()) ?? [];
  const [uploads, quarantined, manifests, renditions, indexDocs, rejections, archived, deadLetters] =
    await Promise.all([
      storage.list(buckets.ingest, 'uploads/'),
      storage.list(buckets.ingest, 'quarantine/'),
      storage.list(buckets.processed, 'manifests/'),
      storage.list(buckets.processed, 'renditions/'),
      storage.list(buckets.processed, 'index/'),
      storage.list(buckets.processed, 'rejections/'),
      storage.list(buckets.archive, 'originals/'),
      input.deadLetters?.read() ?? Promise.resolve([]),
    ]);
  const searchEntries = input.search ? await input.search.entries() : undefined;

  const assets = new Map<string, AssetObjects>();
  const asset = (assetId: string, tenantId?: string): AssetObjects => {
    let a = assets.get(assetId);
    if (!a) {
      a = {
        assetId,
        uploads: [],
        quarantined: [],
        renditions: [],
        indexDocuments: [],
        archived: [],
        deadLetters: [],
      };
      assets.set(assetId, a);
    }
    if (tenantId && !a.tenantId) a.tenantId = tenantId;
    return a;
  };
  const unrecognized = (bucket: string, o: ListedObject, where: string) =>
    findings.push({
      kind: 'unrecognized-upload',
      severity: 'problem',
      message: `${where} ${o.key} is outside the key layout, so nothing will ever process it`,
      objects: [at(bucket, o.key)],
      hint: 'move it to uploads/{tenantId}/{assetId}/{fileName} (a new UUID as asset id) or delete it',
    });

  for (const o of uploads) {
    const location = parseUploadKey(o.key);
    if (location) asset(location.assetId, location.tenantId).uploads.push(o);
    else unrecognized(buckets.ingest, o, 'upload');
  }
  for (const o of quarantined) {
    const location = parseUploadKey(`uploads/${o.key.slice('quarantine/'.length)}`);
    if (location) asset(location.assetId, location.tenantId).quarantined.push(o);
    else unrecognized(buckets.ingest, o, 'quarantined object');
  }
  for (const o of manifests) {
    const assetId = parseManifestKey(o.key);
    if (assetId) asset(assetId).manifest = o;
  }
  for (const o of renditions) {
    const assetId = /^renditions\/([^/]+)\//.exec(o.key)?.[1];
    if (assetId && isAssetId(assetId)) asset(assetId).renditions.push(o);
  }
  for (const o of indexDocs) {
    const match = /^index\/([^/]+)\/([^/]+)\.json$/.exec(o.key);
    if (match?.[1] && match[2] && isTenantId(match[1]) && isAssetId(match[2]))
      asset(match[2], match[1]).indexDocuments.push(o);
  }
  for (const o of rejections) {
    const assetId = /^rejections\/([^/]+)\.json$/.exec(o.key)?.[1];
    if (assetId && isAssetId(assetId)) asset(assetId).rejection = o;
  }
  for (const o of archived) {
    const location = parseArchiveKey(o.key);
    if (location) asset(location.assetId, location.tenantId).archived.push(o);
  }
  for (const entry of deadLetters) {
    if (entry.assetIds.length === 0) {
      findings.push({
        kind: 'dead-letter-unattributed',
        severity: 'problem',
        message: `${entry.deadLetterQueue}: message ${entry.messageId} (${entry.kind}, received ${entry.receiveCount}x) names no asset${entry.objects.length ? `: ${entry.objects.join(', ')}` : ''}`,
        objects: entry.objects,
        hint: `look at it (sluice-ops dlq inspect ${entry.deadLetterQueue}); purge it if it is poison (sluice-ops dlq purge ${entry.deadLetterQueue})`,
      });
    }
    for (const assetId of entry.assetIds) asset(assetId).deadLetters.push(entry);
  }
  const search = new Map((searchEntries ?? []).map((e) => [e.assetId, e]));
  for (const entry of searchEntries ?? []) asset(entry.assetId, entry.tenantId);

  const judged = await pool(
    [...assets.values()].sort((a, b) => (a.assetId < b.assetId ? -1 : 1)),
    concurrency,
    (a) => judgeAsset(a),
  );

  async function judgeAsset(a: AssetObjects): Promise<AssetAudit> {
    const mine: AuditFinding[] = [];
    const add = (
      kind: FindingKind,
      message: string,
      objects: string[],
      options: { inFlight?: boolean; hint?: string } = {},
    ) =>
      mine.push({
        kind,
        severity: options.inFlight ? 'in-flight' : 'problem',
        assetId: a.assetId,
        ...(a.tenantId ? { tenantId: a.tenantId } : {}),
        message,
        objects,
        ...(options.hint ? { hint: options.hint } : {}),
      });

    let manifest: AssetManifest | undefined;
    if (a.manifest) {
      const read = await readDocument<AssetManifest>(
        storage,
        buckets.processed,
        a.manifest.key,
        'asset-manifest/v1',
      );
      if ('doc' in read) {
        manifest = read.doc;
        a.tenantId ??= manifest.tenantId;
      } else if ('invalid' in read) {
        add('invalid-document', `manifest breaks asset-manifest/v1: ${read.invalid}`, [
          at(buckets.processed, a.manifest.key),
        ]);
      }
    }
    let rejection: RejectionRecord | undefined;
    if (a.rejection) {
      const read = await readDocument<RejectionRecord>(
        storage,
        buckets.processed,
        a.rejection.key,
        'rejection-record/v1',
      );
      if ('doc' in read) {
        rejection = read.doc;
        a.tenantId ??= rejection.tenantId;
      } else if ('invalid' in read) {
        add('invalid-document', `rejection record breaks rejection-record/v1: ${read.invalid}`, [
          at(buckets.processed, a.rejection.key),
        ]);
      }
    }

    const dlqHint = (e: DeadLetterEntry) =>
      `redrive it once the cause is fixed: sluice-ops dlq redrive ${e.service ?? e.queue} --asset ${a.assetId}`;
    for (const e of a.deadLetters) {
      add(
        'dead-lettered',
        `in ${e.deadLetterQueue} (from ${e.queue}, received ${e.receiveCount}x): ${e.objects.join(', ') || e.kind}`,
        e.objects,
        { hint: dlqHint(e) },
      );
    }
    const deadLettered = a.deadLetters.length > 0;

    if (manifest) {
      await judgeProcessed(a, manifest, add, deadLettered);
      await judgeArchive(a, manifest, add, deadLettered);
    } else if (a.manifest === undefined) {
      // Never processed (or the manifest is gone): renditions, index documents, archive copies and
      // search entries have nothing to belong to.
      for (const r of a.renditions)
        add('orphaned-rendition', `rendition without a manifest: ${r.key}`, [at(buckets.processed, r.key)], {
          inFlight: young(r) && !rejection,
          hint: rejection
            ? 'a rejected asset has no renditions: delete it'
            : 'reprocess the asset, or delete it',
        });
      for (const d of a.indexDocuments)
        add(
          rejection ? 'outputs-of-rejected' : 'orphaned-index-document',
          `index document without a manifest: ${d.key}`,
          [at(buckets.processed, d.key)],
        );
      for (const o of a.archived)
        add(
          'orphaned-archive',
          `archived original without a manifest: ${o.key}`,
          [at(buckets.archive, o.key)],
          {
            hint: 'reprocess it from the archive (sluice-ops reprocess --source archive) to restore its manifest',
          },
        );
      const entry = search.get(a.assetId);
      if (entry)
        add(
          'orphaned-search-entry',
          `the search index holds ${a.assetId} (tenant ${entry.tenantId}) without a manifest`,
          [],
          {
            hint: 'rebuild the index: npm run reindex -w @sluice/indexer',
          },
        );
    }

    if (rejection || a.rejection) judgeRejected(a, rejection, manifest, add, deadLettered);
    else {
      for (const q of a.quarantined)
        add('quarantined-without-record', `in quarantine without rejections/${a.assetId}.json: ${q.key}`, [
          at(buckets.ingest, q.key),
        ]);
    }

    if (!a.manifest && !a.rejection) {
      for (const u of a.uploads) {
        if (deadLettered) continue; // The dead-letter finding says why.
        add(
          'stuck-upload',
          `${u.key} (${u.size} bytes${u.lastModified ? `, uploaded ${u.lastModified.toISOString()}` : ''}) has neither a manifest nor a rejection`,
          [at(buckets.ingest, u.key)],
          {
            inFlight: young(u),
            hint: 'check the processor queue, its DLQ and logs; reprocess it (sluice-ops reprocess --source ingest)',
          },
        );
      }
    }

    findings.push(...mine);
    const problems = mine.filter((f) => f.severity === 'problem');
    const state: AssetState = deadLettered
      ? 'dead-lettered'
      : problems.length > 0
        ? 'broken'
        : mine.length > 0
          ? 'in-flight'
          : manifest
            ? 'complete'
            : rejection
              ? 'rejected'
              : 'broken';
    return { assetId: a.assetId, ...(a.tenantId ? { tenantId: a.tenantId } : {}), state };
  }

  type Add = (
    kind: FindingKind,
    message: string,
    objects: string[],
    options?: { inFlight?: boolean; hint?: string },
  ) => void;

  async function judgeProcessed(a: AssetObjects, manifest: AssetManifest, add: Add, deadLettered: boolean) {
    const listed = new Set(manifest.renditions.map((r) => r.key));
    const present = new Set(a.renditions.map((r) => r.key));
    for (const r of manifest.renditions) {
      if (!present.has(r.key))
        add(
          'missing-rendition',
          `the manifest lists ${r.key}, which is missing`,
          [at(buckets.processed, r.key)],
          {
            hint: 'reprocess the asset (sluice-ops reprocess)',
          },
        );
    }
    for (const r of a.renditions) {
      if (!listed.has(r.key))
        add(
          'orphaned-rendition',
          `${r.key} is in no manifest (the manifest lists ${manifest.renditions.length})`,
          [at(buckets.processed, r.key)],
          {
            inFlight: young(r, a.manifest),
            hint: 'reprocess the asset, which removes renditions no preset makes',
          },
        );
    }

    // The index: the durable document in the processed bucket, and the search index itself.
    const wanted = versionOf(manifest.source.sequencer, manifest.processedAt);
    const docKey = `index/${manifest.tenantId}/${manifest.assetId}.json`;
    const doc = a.indexDocuments.find((d) => d.key === docKey);
    for (const other of a.indexDocuments.filter((d) => d.key !== docKey))
      add(
        'orphaned-index-document',
        `${other.key} is under another tenant than the manifest's (${manifest.tenantId})`,
        [at(buckets.processed, other.key)],
      );
    if (!doc) {
      if (!deadLettered)
        add('not-indexed', `no ${docKey} for the manifest`, [at(buckets.processed, docKey)], {
          inFlight: young(a.manifest),
          hint: 'check the indexer queue and its DLQ; reindex (npm run reindex -w @sluice/indexer)',
        });
    } else {
      const read = await readDocument<IndexDocument>(storage, buckets.processed, docKey, 'index-document/v1');
      if ('invalid' in read)
        add('invalid-document', `index document breaks index-document/v1: ${read.invalid}`, [
          at(buckets.processed, docKey),
        ]);
      else if (
        'doc' in read &&
        versionOf(read.doc.sourceSequencer, read.doc.processedAt) < wanted &&
        !deadLettered
      )
        add(
          'not-indexed',
          `${docKey} is of an older write (${read.doc.sourceSequencer}, ${read.doc.processedAt ?? '-'}) than the manifest (${manifest.source.sequencer}, ${manifest.processedAt})`,
          [at(buckets.processed, docKey)],
          { inFlight: young(a.manifest, doc), hint: 'check the indexer queue and its DLQ; reindex' },
        );
    }
    if (searchEntries) {
      const entry = search.get(manifest.assetId);
      const current = entry && versionOf(entry.sourceSequencer, entry.processedAt) >= wanted;
      if (!current && !deadLettered)
        add(
          'missing-from-search',
          entry
            ? `the search index holds an older version (${entry.sourceSequencer}, ${entry.processedAt ?? '-'}) than the manifest (${manifest.source.sequencer}, ${manifest.processedAt})`
            : `the search index (${input.search?.description}) has no entry for it`,
          [],
          { inFlight: young(a.manifest), hint: 'reindex (npm run reindex -w @sluice/indexer)' },
        );
    }
  }

  async function judgeArchive(a: AssetObjects, manifest: AssetManifest, add: Add, deadLettered: boolean) {
    const target = archiveKey({
      tenantId: manifest.tenantId,
      assetId: manifest.assetId,
      fileName: manifest.source.fileName,
    });
    const copy = a.archived.find((o) => o.key === target);
    for (const other of a.archived.filter((o) => o.key !== target))
      add('orphaned-archive', `${other.key} is not the original this manifest describes (${target})`, [
        at(buckets.archive, other.key),
      ]);
    const original = a.uploads.find((u) => u.key === manifest.source.key);
    const sameWrite = original && stripQuotes(original.eTag) === stripQuotes(manifest.source.eTag);
    if (!copy) {
      if (!original) {
        add(
          'original-lost',
          `${manifest.source.key} is gone and ${target} was never written`,
          [at(buckets.ingest, manifest.source.key), at(buckets.archive, target)],
          {
            hint: "look for it in the archive bucket's versions and the ingest bucket's; nothing else holds the bytes",
          },
        );
      } else if (!deadLettered) {
        add(
          'not-archived',
          `${manifest.source.key} is still in the ingest bucket, not in ${target}`,
          [at(buckets.ingest, manifest.source.key)],
          {
            inFlight: young(a.manifest, original),
            hint: 'check the archiver queue and its DLQ',
          },
        );
      }
      return;
    }
    if (sameWrite && !deadLettered) {
      add(
        'original-not-deleted',
        `${manifest.source.key} is archived but still in the ingest bucket`,
        [at(buckets.ingest, manifest.source.key), at(buckets.archive, target)],
        {
          inFlight: young(a.manifest, copy),
          hint: 'the archiver deletes it once the copy verifies: redeliver the manifest event or reprocess',
        },
      );
    }
    if (verifyArchive) {
      const head = await storage.head(buckets.archive, target);
      if (!head) {
        add('original-lost', `${target} was listed but is gone`, [at(buckets.archive, target)]);
      } else if (head.size !== manifest.source.size) {
        add(
          'archive-mismatch',
          `${target} is ${head.size} bytes; the manifest says ${manifest.source.size}`,
          [at(buckets.archive, target)],
        );
      } else if (
        head.checksumSha256 &&
        head.checksumType !== 'COMPOSITE' &&
        !head.checksumSha256.includes('-') &&
        head.checksumSha256 !== hexToBase64(manifest.sha256)
      ) {
        add('archive-mismatch', `${target}'s SHA-256 is not the manifest's ${manifest.sha256}`, [
          at(buckets.archive, target),
        ]);
      }
    }
    if (storage.versions) {
      const versions = (await storage.versions(buckets.archive, target)).filter((v) => v.key === target);
      const seen = new Map<string, number>();
      for (const v of versions) {
        const id = `${stripQuotes(v.eTag)}|${v.size}`;
        seen.set(id, (seen.get(id) ?? 0) + 1);
      }
      const copies = [...seen.values()].filter((n) => n > 1);
      if (copies.length > 0)
        add(
          'duplicate-archive-copy',
          `${target} has ${versions.length} versions, ${Math.max(...copies)} of them identical`,
          [at(buckets.archive, target)],
          { hint: 'delete the extra noncurrent versions' },
        );
    }
  }

  function judgeRejected(
    a: AssetObjects,
    rejection: RejectionRecord | undefined,
    manifest: AssetManifest | undefined,
    add: Add,
    deadLettered: boolean,
  ): void {
    if (!rejection) return; // Invalid record, reported already.
    const quarantineKey =
      rejection.quarantineKey ?? `quarantine/${rejection.sourceKey.slice('uploads/'.length)}`;
    const inQuarantine = a.quarantined.some((q) => q.key === quarantineKey);
    const pending = a.uploads.find((u) => u.key === rejection.sourceKey);
    // A processed file with its own manifest may stand beside a rejected second file (asset-id-conflict).
    const superseded =
      manifest && manifest.source.key === rejection.sourceKey && manifest.processedAt > rejection.rejectedAt;
    if (!inQuarantine && !superseded) {
      if (pending) {
        if (!deadLettered)
          add(
            'not-quarantined',
            `rejected (${rejection.reason}) but ${rejection.sourceKey} is still in uploads/`,
            [at(buckets.ingest, rejection.sourceKey)],
            {
              inFlight: young(a.rejection, pending),
              hint: 'reprocess it; the processor moves it to quarantine',
            },
          );
      } else {
        add(
          'quarantine-lost',
          `rejected (${rejection.reason}); ${quarantineKey} and ${rejection.sourceKey} are both missing`,
          [at(buckets.ingest, quarantineKey)],
        );
      }
    } else if (inQuarantine && pending && !superseded && !deadLettered) {
      add(
        'not-quarantined',
        `${rejection.sourceKey} was copied to quarantine but never removed from uploads/`,
        [at(buckets.ingest, rejection.sourceKey)],
        { inFlight: young(a.rejection, pending), hint: 'reprocess it; the processor finishes the move' },
      );
    }
    for (const q of a.quarantined.filter((q) => q.key !== quarantineKey))
      add(
        'quarantined-without-record',
        `${q.key} is in quarantine, but the rejection record names ${quarantineKey}`,
        [at(buckets.ingest, q.key)],
      );
    if (!manifest) {
      for (const r of a.renditions)
        add('outputs-of-rejected', `rendition of a rejected asset: ${r.key}`, [at(buckets.processed, r.key)]);
    }
  }

  const states: Record<AssetState, number> = {
    complete: 0,
    rejected: 0,
    'in-flight': 0,
    'dead-lettered': 0,
    broken: 0,
  };
  for (const j of judged) states[j.state]++;
  const problems = findings.filter((f) => f.severity === 'problem').length;
  return {
    auditedAt: now.toISOString(),
    graceSeconds,
    buckets,
    counts: {
      uploads: uploads.length,
      quarantined: quarantined.length,
      manifests: manifests.length,
      renditions: renditions.length,
      indexDocuments: indexDocs.length,
      rejections: rejections.length,
      archived: archived.length,
      deadLetters: deadLetters.length,
      ...(searchEntries ? { searchEntries: searchEntries.length } : {}),
    },
    ...(input.search ? { searchIndex: input.search.description } : {}),
    queues,
    assets: judged,
    states,
    findings,
    problems,
  };
}
