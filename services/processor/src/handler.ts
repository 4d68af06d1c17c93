import { createLogger, s3EventsFromSqsBody, sqsBatchHandler } from '@sluice/runtime';
import { processUpload } from './app/process-upload';
import { readConfig } from './config';
import { createProcessUploadDeps } from './wiring';

// Composition root: config and clients are created once per container, not per invocation.
const config = readConfig();
const logger = createLogger('processor');
const deps = createProcessUploadDeps(config, logger);

export const handler = sqsBatchHandler(
  async (record) => {
    for (const event of s3EventsFromSqsBody(record.body)) await processUpload(event, deps);
  },
  // Image work is CPU-bound: records of a batch run one at a time; each image's encodes run
  // PROCESSOR_ENCODE_CONCURRENCY at a time. Memory stays bounded by one image in flight.
  { logger, processInParallel: false },
);
