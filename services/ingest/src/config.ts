import {
  type AwsConfig,
  ConfigError,
  type Env,
  optionalString,
  positiveInteger,
  readAwsConfig,
  requiredString,
} from '@sluice/runtime';
import { readSearchConfig, type SearchConfig } from '@sluice/search';
import { ContentTypePolicy } from './domain/content-types';
import { parseWebhookSources, type WebhookSource } from './domain/webhook-signature';

/** Everything the public API (handler.ts) is configured with. */
export interface IngestConfig {
  aws: AwsConfig;
  ingestBucket: string;
  processedBucket: string;
  archiveBucket: string;
  /** Largest upload accepted, single request or multipart. */
  uploadMaxBytes: number;
  /** Presigned POSTs and part URLs stay valid this long. */
  uploadUrlTtlSeconds: number;
  /** Declared content types an upload may have (ALLOWED_CONTENT_TYPES, e.g. `image/*,application/pdf`). */
  allowedContentTypes: ContentTypePolicy;
  /** Presigned rendition URLs in GET /assets/{id} stay valid this long. */
  renditionUrlTtlSeconds: number;
  /** WEBHOOK_SOURCES: JSON `{ "<source>": { "tenantId": "...", "secrets": ["..."] } }`. */
  webhookSources: Record<string, WebhookSource>;
  /** A webhook's timestamp may be this far from now, either way. */
  webhookToleranceSeconds: number;
  webhookMaxBytes: number;
  /** The index-document scan behind GET /search reads at most this many documents per query. */
  searchScanLimit: number;
  /** The indexer's search index, when this environment names one; otherwise GET /search scans. */
  searchIndex?: SearchConfig;
}

/** Whether the environment names a search index (the same variables the indexer reads). */
function namesSearchIndex(env: Env): boolean {
  return ['SEARCH_BACKEND', 'INDEX_DB_PATH', 'SLUICE_DATA_DIR', 'VECTOR_BUCKET_NAME'].some((name) =>
    env[name]?.trim(),
  );
}

export const DEFAULT_ALLOWED_CONTENT_TYPES =
  'image/*,video/*,audio/*,application/pdf,text/plain,text/csv,application/json';

export function readConfig(env: Env = process.env): IngestConfig {
  return {
    aws: readAwsConfig(env),
    ingestBucket: requiredString(env, 'INGEST_BUCKET'),
    processedBucket: requiredString(env, 'PROCESSED_BUCKET'),
    archiveBucket: requiredString(env, 'ARCHIVE_BUCKET'),
    uploadMaxBytes: positiveInteger(env, 'UPLOAD_MAX_BYTES', 5 * 1024 ** 3),
    uploadUrlTtlSeconds: positiveInteger(env, 'UPLOAD_URL_TTL_SECONDS', 900),
    allowedContentTypes: ContentTypePolicy.parse(
      optionalString(env, 'ALLOWED_CONTENT_TYPES', DEFAULT_ALLOWED_CONTENT_TYPES),
    ),
    renditionUrlTtlSeconds: positiveInteger(env, 'RENDITION_URL_TTL_SECONDS', 300),
    webhookSources: parseWebhookSources(optionalString(env, 'WEBHOOK_SOURCES', '{}')),
    webhookToleranceSeconds: positiveInteger(env, 'WEBHOOK_TOLERANCE_SECONDS', 300),
    webhookMaxBytes: positiveInteger(env, 'WEBHOOK_MAX_BYTES', 1024 * 1024),
    searchScanLimit: positiveInteger(env, 'SEARCH_SCAN_LIMIT', 2000),
    ...(namesSearchIndex(env) ? { searchIndex: readSearchConfig(env) } : {}),
  };
}

/** Everything the internal function URL (internal-handler.ts) is configured with. */
export interface InternalConfig {
  aws: AwsConfig;
  ingestBucket: string;
  archiveBucket: string;
  /** Queues whose dead-letter queue may be redriven, by logical name: REDRIVE_QUEUE_<NAME>=<queue URL>. */
  redriveQueues: Record<string, string>;
}

const REDRIVE_QUEUE = /^REDRIVE_QUEUE_([A-Z0-9_]+)$/;

export function readInternalConfig(env: Env = process.env): InternalConfig {
  const redriveQueues: Record<string, string> = {};
  for (const name of Object.keys(env).sort()) {
    const match = REDRIVE_QUEUE.exec(name);
    if (!match?.[1]) continue;
    // REDRIVE_QUEUE_PROCESSOR_QUEUE -> processor-queue, the topology's logical name.
    redriveQueues[match[1].toLowerCase().replace(/_/g, '-')] = requiredString(env, name);
  }
  if (Object.keys(redriveQueues).length === 0) {
    throw new ConfigError('No REDRIVE_QUEUE_<NAME> variables: nothing could be redriven');
  }
  return {
    aws: readAwsConfig(env),
    ingestBucket: requiredString(env, 'INGEST_BUCKET'),
    archiveBucket: requiredString(env, 'ARCHIVE_BUCKET'),
    redriveQueues,
  };
}
