import { createLogger, createS3Client, createSqsClient } from '@sluice/runtime';
import { S3AssetOriginals } from './adapters/s3-asset-originals';
import { SqsDeadLetterRedriver } from './adapters/sqs-dead-letter-redriver';
import { readInternalConfig } from './config';
import { createInternalApi } from './internal-api';

// Composition root of the internal function URL (topology service ingest-internal).
const config = readInternalConfig();
const logger = createLogger('ingest-internal');

export const handler = createInternalApi({
  logger,
  originals: new S3AssetOriginals(createS3Client(config.aws), {
    ingest: config.ingestBucket,
    archive: config.archiveBucket,
  }),
  redriver: new SqsDeadLetterRedriver(createSqsClient(config.aws)),
  redriveQueues: config.redriveQueues,
});
