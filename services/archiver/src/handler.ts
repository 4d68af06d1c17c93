import {
  createLogger,
  createS3Client,
  createSnsClient,
  S3Objects,
  SnsPipelineEventPublisher,
  s3EventsFromSqsBody,
  sqsBatchHandler,
} from '@sluice/runtime';
import { S3ArchiveStore } from './adapters/s3-archive-store';
import { archiveOriginal } from './app/archive-original';
import { readConfig } from './config';

// Composition root: config and clients are created once per container, not per invocation.
const config = readConfig();
const logger = createLogger('archiver');
const s3 = createS3Client(config.aws);
const objects = new S3Objects(s3);
const deps = {
  objects,
  archive: new S3ArchiveStore(s3, objects),
  events: new SnsPipelineEventPublisher(
    createSnsClient(config.aws),
    config.pipelineEventsTopicArn,
    'archiver',
  ),
  logger,
  archiveBucket: config.archiveBucket,
  storageClass: config.storageClass,
};

export const handler = sqsBatchHandler(
  async (record) => {
    for (const event of s3EventsFromSqsBody(record.body)) await archiveOriginal(event, deps);
  },
  { logger },
);
