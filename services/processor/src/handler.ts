import { createLogger, s3EventsFromSqsBody, sqsBatchHandler } from '@sluice/runtime';
import type { Context, SQSRecord } from 'aws-lambda';
import { assertTimeLeft } from './app/deadline';
import { processUpload } from './app/process-upload';
import { readConfig } from './config';
import { createProcessUploadDeps } from './wiring';

// Composition root: config and clients are created once per container, not per invocation.
const config = readConfig();
const logger = createLogger('processor');
const deps = createProcessUploadDeps(config, logger);
// Time one record may need at most: one libvips pipeline's limit plus S3 reads and writes.
const reservePerRecordMs = config.timeoutSeconds * 1000 + 5000;

export const handler = sqsBatchHandler(
  async (record: SQSRecord, context?: Context) => {
    assertTimeLeft(context, reservePerRecordMs);
    for (const event of s3EventsFromSqsBody(record.body)) await processUpload(event, deps);
  },
  // Image work is CPU-bound: records of a batch run one at a time; each image's encodes run
  // PROCESSOR_ENCODE_CONCURRENCY at a time. Memory stays bounded by one image in flight.
  { logger, processInParallel: false },
);
