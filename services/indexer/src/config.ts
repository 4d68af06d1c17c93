import { type AwsConfig, type Env, readAwsConfig, requiredString } from '@sluice/runtime';
import { readSearchConfig, type SearchConfig } from '@sluice/search';

export interface IndexerConfig {
  aws: AwsConfig;
  processedBucket: string;
  pipelineEventsTopicArn: string;
  search: SearchConfig;
}

export function readConfig(env: Env = process.env): IndexerConfig {
  return {
    aws: readAwsConfig(env),
    processedBucket: requiredString(env, 'PROCESSED_BUCKET'),
    pipelineEventsTopicArn: requiredString(env, 'PIPELINE_EVENTS_TOPIC_ARN'),
    search: readSearchConfig(env),
  };
}
