import {
  createLogger,
  createS3Client,
  createSnsClient,
  S3Objects,
  SnsPipelineEventPublisher,
  s3EventsFromSqsBody,
  sqsBatchHandler,
} from '@sluice/runtime';
import { openSearchIndex } from '@sluice/search';
import { S3DocumentStore } from './adapters/s3-document-store';
import { rasterizeWithSharp } from './adapters/sharp-rasterizer';
import { indexManifest } from './app/index-manifest';
import { removeManifest } from './app/remove-manifest';
import { readConfig } from './config';

// Composition root: config and clients are created once per container, not per invocation.
const config = readConfig();
const logger = createLogger('indexer');
const objects = new S3Objects(createS3Client(config.aws));
const { store: search, embedder } = openSearchIndex(config.search, { rasterize: rasterizeWithSharp });
const documents = new S3DocumentStore(objects, config.processedBucket);
const deps = {
  objects,
  processedBucket: config.processedBucket,
  documents,
  search,
  embedder,
  events: new SnsPipelineEventPublisher(
    createSnsClient(config.aws),
    config.pipelineEventsTopicArn,
    'indexer',
  ),
  logger,
};

export const handler = sqsBatchHandler(
  async (record) => {
    for (const event of s3EventsFromSqsBody(record.body)) {
      if (event.eventName.startsWith('ObjectRemoved')) await removeManifest(event, deps);
      else await indexManifest(event, deps);
    }
  },
  { logger },
);
