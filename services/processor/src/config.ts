import { type AwsConfig, type Env, readAwsConfig, requiredString } from '@sluice/runtime';

export interface ProcessorConfig {
  aws: AwsConfig;
  ingestBucket: string;
  processedBucket: string;
  pipelineEventsTopicArn: string;
}

export function readConfig(env: Env = process.env): ProcessorConfig {
  return {
    aws: readAwsConfig(env),
    ingestBucket: requiredString(env, 'INGEST_BUCKET'),
    processedBucket: requiredString(env, 'PROCESSED_BUCKET'),
    pipelineEventsTopicArn: requiredString(env, 'PIPELINE_EVENTS_TOPIC_ARN'),
  };
}
