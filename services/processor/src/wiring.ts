import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import { createS3Client, createSnsClient, type Logger, SnsPipelineEventPublisher } from '@sluice/runtime';
import { S3OriginalStore, S3OutputStore } from './adapters/s3-storage';
import { SharpImageRenderer } from './adapters/sharp-image-renderer';
import type { ProcessUploadDeps } from './app/process-upload';
import type { ProcessorConfig } from './config';

/**
 * processUpload's dependencies, wired from configuration: shared by the SQS handler and any other
 * entry point (S3 Batch Operations, the CLI's reprocess), so they all behave the same.
 */
export function createProcessUploadDeps(
  config: ProcessorConfig,
  logger: Logger,
  clients: { s3?: S3Client; sns?: SNSClient } = {},
): ProcessUploadDeps {
  const s3 = clients.s3 ?? createS3Client(config.aws);
  const sns = clients.sns ?? createSnsClient(config.aws);
  return {
    originals: new S3OriginalStore(s3, config.ingestBucket),
    outputs: new S3OutputStore(s3, config.processedBucket),
    renderer: new SharpImageRenderer({
      limitInputPixels: config.maxPixels,
      timeoutSeconds: config.timeoutSeconds,
      concurrency: config.encodeConcurrency,
    }),
    events: new SnsPipelineEventPublisher(sns, config.pipelineEventsTopicArn, 'processor'),
    logger,
    presets: config.presets,
    maxImageBytes: config.maxImageBytes,
    ingestBucket: config.ingestBucket,
    processedBucket: config.processedBucket,
  };
}
