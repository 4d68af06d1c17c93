import {
  createLogger,
  createS3Client,
  createSnsClient,
  S3Objects,
  SnsPipelineEventPublisher,
  s3EventsFromSqsBody,
  sqsBatchHandler,
} from '@sluice/runtime';
import { SharpImageRenderer } from './adapters/sharp-image-renderer';
import { processUpload } from './app/process-upload';
import { readConfig } from './config';
import { DEFAULT_PRESETS } from './domain/presets';

// Composition root: config and clients are created once per container, not per invocation.
const config = readConfig();
const logger = createLogger('processor');
const deps = {
  objects: new S3Objects(createS3Client(config.aws)),
  renderer: new SharpImageRenderer(),
  events: new SnsPipelineEventPublisher(
    createSnsClient(config.aws),
    config.pipelineEventsTopicArn,
    'processor',
  ),
  logger,
  presets: DEFAULT_PRESETS,
  ingestBucket: config.ingestBucket,
  processedBucket: config.processedBucket,
};

export const handler = sqsBatchHandler(
  async (record) => {
    for (const event of s3EventsFromSqsBody(record.body)) await processUpload(event, deps);
  },
  // Image work is CPU-bound: records of a batch run one at a time.
  { logger, processInParallel: false },
);
