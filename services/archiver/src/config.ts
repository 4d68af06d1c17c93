import {
  type AwsConfig,
  ConfigError,
  type Env,
  optionalString,
  positiveInteger,
  readAwsConfig,
  requiredString,
} from '@sluice/runtime';
import {
  DEFAULT_COPY_CONCURRENCY,
  DEFAULT_MULTIPART_THRESHOLD_BYTES,
  DEFAULT_PART_SIZE_BYTES,
} from './app/archive-original';
import { MAX_PART_BYTES, MAX_SINGLE_COPY_BYTES, MIN_PART_BYTES } from './domain/parts';
import { ARCHIVE_STORAGE_CLASSES, type ArchiveStorageClass } from './domain/storage-class';

export interface ArchiverConfig {
  aws: AwsConfig;
  ingestBucket: string;
  processedBucket: string;
  archiveBucket: string;
  storageClass: ArchiveStorageClass;
  pipelineEventsTopicArn: string;
  multipartThresholdBytes: number;
  partSizeBytes: number;
  copyConcurrency: number;
}

export function readConfig(env: Env = process.env): ArchiverConfig {
  const storageClass = optionalString(env, 'ARCHIVE_STORAGE_CLASS', 'GLACIER_IR');
  if (!(ARCHIVE_STORAGE_CLASSES as readonly string[]).includes(storageClass)) {
    throw new ConfigError(
      `ARCHIVE_STORAGE_CLASS must be one of ${ARCHIVE_STORAGE_CLASSES.join(', ')}, got "${storageClass}"`,
    );
  }
  const multipartThresholdBytes = positiveInteger(
    env,
    'ARCHIVE_MULTIPART_THRESHOLD_BYTES',
    DEFAULT_MULTIPART_THRESHOLD_BYTES,
  );
  if (multipartThresholdBytes > MAX_SINGLE_COPY_BYTES) {
    throw new ConfigError(
      `ARCHIVE_MULTIPART_THRESHOLD_BYTES must be at most ${MAX_SINGLE_COPY_BYTES} (CopyObject's limit), got ${multipartThresholdBytes}`,
    );
  }
  const partSizeBytes = positiveInteger(env, 'ARCHIVE_PART_SIZE_BYTES', DEFAULT_PART_SIZE_BYTES);
  if (partSizeBytes < MIN_PART_BYTES || partSizeBytes > MAX_PART_BYTES) {
    throw new ConfigError(
      `ARCHIVE_PART_SIZE_BYTES must be from ${MIN_PART_BYTES} to ${MAX_PART_BYTES} (S3's part limits), got ${partSizeBytes}`,
    );
  }
  return {
    aws: readAwsConfig(env),
    ingestBucket: requiredString(env, 'INGEST_BUCKET'),
    processedBucket: requiredString(env, 'PROCESSED_BUCKET'),
    archiveBucket: requiredString(env, 'ARCHIVE_BUCKET'),
    storageClass: storageClass as ArchiveStorageClass,
    pipelineEventsTopicArn: requiredString(env, 'PIPELINE_EVENTS_TOPIC_ARN'),
    multipartThresholdBytes,
    partSizeBytes,
    copyConcurrency: positiveInteger(env, 'ARCHIVE_COPY_CONCURRENCY', DEFAULT_COPY_CONCURRENCY),
  };
}
