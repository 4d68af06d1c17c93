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
import { type ArchiveOriginalDeps, archiveOriginal } from './app/archive-original';
import type { ArchiverConfig } from './config';
import type { ArchiveStore } from './ports/archive-store';

export interface ArchiverHandlerOptions {
  /** Wraps the S3 archive store, e.g. to inject faults in end-to-end tests. */
  decorateArchiveStore?: (store: ArchiveStore) => ArchiveStore;
}

/** The archiver's SQS handler, wired from its config: one S3 client, one SNS client, per container. */
export function createArchiverHandler(config: ArchiverConfig, options: ArchiverHandlerOptions = {}) {
  const logger = createLogger('archiver');
  const s3 = createS3Client(config.aws);
  const store = new S3ArchiveStore(s3);
  const deps: ArchiveOriginalDeps = {
    objects: new S3Objects(s3),
    archive: options.decorateArchiveStore ? options.decorateArchiveStore(store) : store,
    events: new SnsPipelineEventPublisher(
      createSnsClient(config.aws),
      config.pipelineEventsTopicArn,
      'archiver',
    ),
    logger,
    archiveBucket: config.archiveBucket,
    storageClass: config.storageClass,
    multipartThresholdBytes: config.multipartThresholdBytes,
    partSizeBytes: config.partSizeBytes,
    copyConcurrency: config.copyConcurrency,
  };
  return sqsBatchHandler(
    async (record) => {
      for (const event of s3EventsFromSqsBody(record.body)) await archiveOriginal(event, deps);
    },
    { logger },
  );
}
