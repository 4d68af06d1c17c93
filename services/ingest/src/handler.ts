import { S3Client } from '@aws-sdk/client-s3';
import { S3OriginalStore } from '@sluice/archiver';
import { createLogger, createS3Client, S3Objects } from '@sluice/runtime';
import { openSearchIndex } from '@sluice/search';
import { IndexScanSearch } from './adapters/index-scan-search';
import { S3DownloadUrlSigner } from './adapters/s3-download-url-signer';
import { S3MultipartUploads } from './adapters/s3-multipart-uploads';
import { S3UploadSigner } from './adapters/s3-upload-signer';
import { S3WebhookInbox } from './adapters/s3-webhook-inbox';
import { SearchEngineSearch } from './adapters/search-engine-search';
import { createApi } from './api';
import { readConfig } from './config';

// Composition root: config and clients are created once per container, not per invocation.
const config = readConfig();
const logger = createLogger('ingest');
const s3 = createS3Client(config.aws);
// Presigned URLs for browsers: no flexible checksum (the browser cannot know it in advance).
const presigner = new S3Client({
  region: config.aws.region,
  endpoint: config.aws.endpoint,
  forcePathStyle: config.aws.forcePathStyle,
  requestChecksumCalculation: 'WHEN_REQUIRED',
});

export const handler = createApi({
  ...config,
  logger,
  signer: new S3UploadSigner(presigner),
  multipart: new S3MultipartUploads(s3, presigner),
  objects: new S3Objects(s3),
  urls: new S3DownloadUrlSigner(presigner),
  // HEAD and RestoreObject on originals, and their presigned GETs (browsers download them).
  originals: new S3OriginalStore(presigner),
  // The indexer's search index where configured; otherwise its index documents, scanned.
  search: config.searchIndex
    ? new SearchEngineSearch(openSearchIndex(config.searchIndex).engine)
    : new IndexScanSearch(s3, config.processedBucket, config.searchScanLimit, logger),
  inbox: new S3WebhookInbox(s3, config.ingestBucket),
});
