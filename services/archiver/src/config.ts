import {
  type AwsConfig,
  ConfigError,
  type Env,
  optionalString,
  readAwsConfig,
  requiredString,
} from '@sluice/runtime';
import { ARCHIVE_STORAGE_CLASSES, type ArchiveStorageClass } from './domain/storage-class';

export interface ArchiverConfig {
  aws: AwsConfig;
  ingestBucket: string;
  processedBucket: string;
  archiveBucket: string;
  storageClass: ArchiveStorageClass;
  pipelineEventsTopicArn: string;
}

export function readConfig(env: Env = process.env): ArchiverConfig {
  const storageClass = optionalString(env, 'ARCHIVE_STORAGE_CLASS', 'GLACIER_IR');
  if (!(ARCHIVE_STORAGE_CLASSES as readonly string[]).includes(storageClass)) {
    throw new ConfigError(
      `ARCHIVE_STORAGE_CLASS must be one of ${ARCHIVE_STORAGE_CLASSES.join(', ')}, got "${storageClass}"`,
    );
  }
  return {
    aws: readAwsConfig(env),
    ingestBucket: requiredString(env, 'INGEST_BUCKET'),
    processedBucket: requiredString(env, 'PROCESSED_BUCKET'),
    archiveBucket: requiredString(env, 'ARCHIVE_BUCKET'),
    storageClass: storageClass as ArchiveStorageClass,
    pipelineEventsTopicArn: requiredString(env, 'PIPELINE_EVENTS_TOPIC_ARN'),
  };
}
