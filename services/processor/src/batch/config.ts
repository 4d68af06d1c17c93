import { type Env, requiredString } from '@sluice/runtime';
import { type ProcessorConfig, readConfig } from '../config';

export interface BatchOperationsConfig {
  processor: ProcessorConfig;
  /** ARCHIVE_BUCKET: where archived originals are read from when the ingest bucket no longer has them. */
  archiveBucket: string;
}

/**
 * The S3 Batch Operations function's configuration: the processor's own (same presets, limits and
 * buckets, so a reprocess makes exactly what the pipeline makes) plus the archive bucket.
 */
export function readBatchOperationsConfig(env: Env = process.env): BatchOperationsConfig {
  return { processor: readConfig(env), archiveBucket: requiredString(env, 'ARCHIVE_BUCKET') };
}
