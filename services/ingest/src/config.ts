import { type AwsConfig, type Env, positiveInteger, readAwsConfig, requiredString } from '@sluice/runtime';

export interface IngestConfig {
  aws: AwsConfig;
  ingestBucket: string;
  processedBucket: string;
  uploadMaxBytes: number;
  uploadUrlTtlSeconds: number;
}

export function readConfig(env: Env = process.env): IngestConfig {
  return {
    aws: readAwsConfig(env),
    ingestBucket: requiredString(env, 'INGEST_BUCKET'),
    processedBucket: requiredString(env, 'PROCESSED_BUCKET'),
    uploadMaxBytes: positiveInteger(env, 'UPLOAD_MAX_BYTES', 5 * 1024 ** 3),
    uploadUrlTtlSeconds: positiveInteger(env, 'UPLOAD_URL_TTL_SECONDS', 900),
  };
}
