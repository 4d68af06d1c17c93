import {
  createLogger,
  createS3Client,
  createSnsClient,
  S3Objects,
  SnsPipelineEventPublisher,
  s3EventsFromSqsBody,
  sqsBatchHandler,
} from '@sluice/runtime';
import { S3IndexStore } from './adapters/s3-index-store';
import { indexManifest } from './app/index-manifest';
import { readConfig } from './config';

// Composition root: config and clients are created once per container, not per invocation.
const config = readConfig();
const logger = createLogger('indexer');
const objects = new S3Objects(createS3Client(config.aws));
const deps = {
  objects,
  store: new S3IndexStore(objects, config.processedBucket),
  events: new SnsPipelineEventPublisher(
    createSnsClient(config.aws),
    config.pipelineEventsTopicArn,
    'indexer',
  ),
  logger,
};

export const handler = sqsBatchHandler(
  async (record) => {
    for (const event of s3EventsFromSqsBody(record.body)) await indexManifest(event, deps);
  },
  { logger },
);
