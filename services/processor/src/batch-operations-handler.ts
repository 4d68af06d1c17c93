import { createLogger, createS3Client } from '@sluice/runtime';
import type { Context } from 'aws-lambda';
import { S3OriginalStore } from './adapters/s3-storage';
import { ArchiveFallbackOriginals, s3ArchivedOriginalCopier } from './batch/archive-fallback-originals';
import { readBatchOperationsConfig } from './batch/config';
import { type ReprocessDeps, reprocessObject } from './batch/reprocess-object';
import { handleBatchInvocation } from './batch/s3-batch';
import { createProcessUploadDeps } from './wiring';

/*
 * S3 Batch Operations entry point (LambdaInvoke, invocation schema 2.0): re-runs the processor on
 * each task's original with the processor's current configuration, e.g. to regenerate renditions
 * after a preset change. Tasks may name originals (uploads/ in the ingest bucket, originals/ in the
 * archive bucket) or manifests (manifests/ in the processed bucket). `sluice-ops reprocess` creates
 * the job on AWS, and drives this same handler locally.
 */
const config = readBatchOperationsConfig();
const logger = createLogger('processor-batch');
const s3 = createS3Client(config.processor.aws);
const processDeps = createProcessUploadDeps(config.processor, logger, { s3 });
const buckets = {
  ingest: config.processor.ingestBucket,
  processed: config.processor.processedBucket,
  archive: config.archiveBucket,
};
const archiveOriginals = new S3OriginalStore(s3, buckets.archive);
const copyArchived = s3ArchivedOriginalCopier(s3, buckets);
const deps: ReprocessDeps = {
  process: processDeps,
  originalsFor: () => new ArchiveFallbackOriginals(processDeps.originals, archiveOriginals, copyArchived),
  buckets,
  logger,
};

export async function handler(event: unknown, context?: Context) {
  if (context) logger.addContext(context);
  return handleBatchInvocation(event, (task) => reprocessObject(task, deps), logger);
}
