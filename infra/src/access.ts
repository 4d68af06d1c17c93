import type { SearchAccess } from './search';

/**
 * What each service does to which object keys: the input to its IAM policy. The topology says which
 * buckets a service is told about (its environment); it does not yet say which prefixes it touches,
 * so that part lives here, next to the key layout it mirrors (packages/runtime/src/keys.ts):
 *
 *   ingest     uploads/{tenantId}/{assetId}/{fileName}     quarantine/{tenantId}/{assetId}/{fileName}
 *   processed  renditions/{assetId}/...   manifests/{assetId}.json   index/{tenantId}/{assetId}.json
 *   archive    originals/{tenantId}/{assetId}/{fileName}
 *
 * A synth fails when a topology service has no entry here, or an entry names a bucket the service's
 * environment does not reference, so this file cannot silently drift from the topology.
 */
export type ObjectAction =
  /** GetObject (and HeadObject, which S3 authorizes as GetObject), also through presigned GET URLs. */
  | 'read'
  /** PutObject: presigned POSTs, multipart uploads (create, upload part, complete) and copies into the prefix. */
  | 'write'
  /**
   * PutObject only with If-None-Match (an S3 conditional write that creates a key, never replaces one):
   * the IAM condition `s3:if-none-match` must be present. Instead of 'write', not beside it.
   */
  | 'create'
  | 'delete'
  /** Server-side copy source: a copy carries the source's tags along. */
  | 'copy-source'
  /** Server-side copy target. */
  | 'copy-target'
  /** Multipart uploads or copies: list the parts, abort. */
  | 'multipart'
  /** GetObject of a given version (a presigned GET naming the versionId HEAD answered, in a versioned bucket). */
  | 'read-version'
  /** RestoreObject: a temporary readable copy of an object in a cold storage class. */
  | 'restore';

export interface PrefixGrant {
  bucket: string;
  /** A key prefix ending in '/'. */
  prefix: string;
  actions: ObjectAction[];
}

export interface ServiceAccess {
  objects: PrefixGrant[];
  /**
   * The search index on AWS (S3 Vectors + Bedrock, src/search.ts): the function gets the search
   * environment and these rights on the one index it is configured with.
   */
  search?: SearchAccess;
  /**
   * Buckets on which the service holds s3:ListBucket without a prefix condition. S3 answers a GET or
   * HEAD of a missing key with 404 only to callers allowed to list the bucket (403 otherwise), and
   * every service treats "missing" as a normal outcome (a replay after the object moved on). Listing
   * shows key names, never content.
   */
  notFoundOn: string[];
  /** ListObjectsV2 limited to prefixes (s3:prefix condition). */
  listPrefixes: { bucket: string; prefix: string }[];
  /** ListMultipartUploads on these buckets (in-progress upload keys only). */
  listMultipartUploads?: string[];
  /**
   * What the service does with the queues its environment names: send to them, or redrive them
   * (read the queue's redrive policy, move messages from its DLQ back into it).
   */
  queues?: 'send' | 'redrive';
  /**
   * Environment variables whose literal values name Secrets Manager secrets the function reads
   * (secretsmanager:GetSecretValue on that secret only).
   */
  secrets?: string[];
  /**
   * For a function URL behind the CloudFront edge with a storedVariantsBucket (topology `edge`): the key
   * prefixes of that bucket CloudFront may read through origin access control (s3:GetObject only), the
   * keys its viewer-request function maps viewer paths to. Anything else misses and goes to the function.
   */
  edgeReads?: string[];
}

/**
 * Grants on a bucket the service's environment does not name are dropped when the policy is built: the
 * function cannot address such a bucket, so the grant could only ever be unused.
 */
export const SERVICE_ACCESS: Readonly<Record<string, ServiceAccess>> = {
  // HTTP API: presigned POSTs and multipart uploads into uploads/, webhook receipts, asset status
  // (uploads/, quarantine/, originals/, manifests, rejections, index documents), presigned rendition
  // URLs, search over the tenant's index documents, and the original (@sluice/archiver's
  // describeOriginal and restoreOriginal): HEAD where it is, a presigned download of that version,
  // RestoreObject of an archived one (POST /assets/{id}/restore).
  ingest: {
    objects: [
      { bucket: 'ingest', prefix: 'uploads/', actions: ['read', 'write', 'multipart'] },
      { bucket: 'ingest', prefix: 'quarantine/', actions: ['read'] },
      // Webhook receipts: claimed with a conditional write (If-None-Match: *), released on failure.
      { bucket: 'ingest', prefix: 'webhooks/', actions: ['create', 'delete'] },
      { bucket: 'processed', prefix: 'manifests/', actions: ['read'] },
      { bucket: 'processed', prefix: 'rejections/', actions: ['read'] },
      { bucket: 'processed', prefix: 'index/', actions: ['read'] },
      { bucket: 'processed', prefix: 'renditions/', actions: ['read'] },
      { bucket: 'archive', prefix: 'originals/', actions: ['read', 'read-version', 'restore'] },
    ],
    // describeOriginal HEADs the manifest's upload (gone once archived) and its archive key (absent
    // until then): "missing" must be a 404, so whole-bucket ListBucket there (it covers the listings of
    // uploads/, quarantine/ and originals/ the status makes).
    notFoundOn: ['processed', 'ingest', 'archive'],
    listPrefixes: [],
    listMultipartUploads: ['ingest'],
    // GET /search: the SearchPort's @sluice/search adapter queries the index when it is configured
    // (README, "Search"); the index-document scan is the fallback.
    search: 'read',
  },
  // Internal API (IAM-auth Function URL): re-triggers an asset by copying its original back into
  // uploads/ (from uploads/, quarantine/ or the archive), and redrives the services' DLQs.
  'ingest-internal': {
    objects: [
      { bucket: 'ingest', prefix: 'uploads/', actions: ['read', 'copy-source', 'write', 'copy-target'] },
      { bucket: 'ingest', prefix: 'quarantine/', actions: ['read', 'copy-source'] },
      { bucket: 'archive', prefix: 'originals/', actions: ['read', 'copy-source'] },
    ],
    notFoundOn: [],
    listPrefixes: [
      { bucket: 'ingest', prefix: 'uploads/' },
      { bucket: 'ingest', prefix: 'quarantine/' },
      { bucket: 'archive', prefix: 'originals/' },
    ],
    queues: 'redrive',
  },
  // Reads an upload (pinned to its ETag), writes renditions then the manifest, removes renditions a
  // newer upload no longer has; a rejected upload moves to quarantine/.
  processor: {
    objects: [
      { bucket: 'ingest', prefix: 'uploads/', actions: ['read', 'delete', 'copy-source'] },
      { bucket: 'ingest', prefix: 'quarantine/', actions: ['write', 'delete', 'copy-target'] },
      { bucket: 'processed', prefix: 'renditions/', actions: ['read', 'write', 'delete'] },
      { bucket: 'processed', prefix: 'manifests/', actions: ['read', 'write'] },
    ],
    notFoundOn: ['ingest', 'processed'],
    listPrefixes: [],
  },
  // Reads a manifest and its thumbnail rendition, writes (or, for a removed manifest, deletes) the
  // asset's index document.
  indexer: {
    objects: [
      { bucket: 'processed', prefix: 'manifests/', actions: ['read'] },
      { bucket: 'processed', prefix: 'renditions/', actions: ['read'] },
      { bucket: 'processed', prefix: 'index/', actions: ['read', 'write', 'delete'] },
    ],
    notFoundOn: ['processed'],
    listPrefixes: [],
    // Embeds each asset (Bedrock) and writes its vector (S3 Vectors), creating the index on first use.
    search: 'write',
  },
  // Reads a manifest, copies the original into originals/ (multipart over 5 GB) and checks it there,
  // then deletes it from uploads/.
  archiver: {
    objects: [
      { bucket: 'processed', prefix: 'manifests/', actions: ['read'] },
      { bucket: 'ingest', prefix: 'uploads/', actions: ['read', 'delete', 'copy-source'] },
      { bucket: 'archive', prefix: 'originals/', actions: ['read', 'write', 'copy-target', 'multipart'] },
    ],
    notFoundOn: ['processed', 'ingest', 'archive'],
    listPrefixes: [],
  },
  // Function URL behind CloudFront: serves stored renditions and ad-hoc variants, renders a miss from
  // the original (uploads/, else the archive's originals/, read only) and stores it create-only
  // (If-None-Match: *), so the public-facing function can never replace a rendition the processor wrote.
  delivery: {
    objects: [
      { bucket: 'processed', prefix: 'renditions/', actions: ['read', 'create'] },
      { bucket: 'processed', prefix: 'variants/', actions: ['read', 'create'] },
      { bucket: 'processed', prefix: 'manifests/', actions: ['read'] },
      { bucket: 'ingest', prefix: 'uploads/', actions: ['read'] },
      { bucket: 'archive', prefix: 'originals/', actions: ['read'] },
    ],
    notFoundOn: ['processed', 'ingest', 'archive'],
    listPrefixes: [],
    // The HMAC keys of signed ad-hoc URLs (delivery-signing-keys/v1), rotated with `npm run keys`.
    secrets: ['DELIVERY_SIGNING_KEYS_SECRET_ID'],
    // services/delivery/edge/viewer-request.js maps /v/{assetId}/{preset}.{format} to renditions/.
    edgeReads: ['renditions/'],
  },
};

/** S3 Batch Operations functions (topology `batchOperations`), keyed by their topology name. */
export const BATCH_OPERATIONS_ACCESS: Readonly<Record<string, ServiceAccess>> = {
  // The processor's own work on each task's original, which may still be in uploads/ or only in the
  // archive (read there, and copied into quarantine/ when rejected); tasks may also name manifests.
  reprocess: {
    objects: [
      { bucket: 'ingest', prefix: 'uploads/', actions: ['read', 'delete', 'copy-source'] },
      { bucket: 'ingest', prefix: 'quarantine/', actions: ['write', 'delete', 'copy-target'] },
      { bucket: 'archive', prefix: 'originals/', actions: ['read', 'copy-source'] },
      { bucket: 'processed', prefix: 'renditions/', actions: ['read', 'write', 'delete'] },
      { bucket: 'processed', prefix: 'manifests/', actions: ['read', 'write'] },
    ],
    notFoundOn: ['ingest', 'processed', 'archive'],
    listPrefixes: [],
  },
};

/** The IAM actions of each object action; 'create' carries CREATE_ONLY as its condition. */
export const S3_ACTIONS: Readonly<Record<ObjectAction, readonly string[]>> = {
  read: ['s3:GetObject'],
  write: ['s3:PutObject'],
  create: ['s3:PutObject'],
  delete: ['s3:DeleteObject'],
  'copy-source': ['s3:GetObjectTagging'],
  'copy-target': ['s3:PutObjectTagging'],
  multipart: ['s3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
  'read-version': ['s3:GetObjectVersion'],
  restore: ['s3:RestoreObject'],
};

/**
 * The condition of a 'create' grant: the request carries If-None-Match (S3 condition key
 * s3:if-none-match, documented for enforcing conditional writes), so it can only create a key.
 */
export const CREATE_ONLY = { Null: { 's3:if-none-match': 'false' } } as const;
