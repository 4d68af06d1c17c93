import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';

export const LOCAL_REGION = 'us-east-1';
/** moto's default account. */
export const LOCAL_ACCOUNT_ID = '123456789012';
/** moto accepts any credentials; fixed ones keep real ones from the environment out of play. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

export interface LocalAwsConfig {
  endpoint: string;
  region?: string;
}

function clientConfig({ endpoint, region }: LocalAwsConfig) {
  return { endpoint, region: region ?? LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 3 };
}

export const createS3Client = (aws: LocalAwsConfig): S3Client =>
  new S3Client({ ...clientConfig(aws), forcePathStyle: true });
export const createSnsClient = (aws: LocalAwsConfig): SNSClient => new SNSClient(clientConfig(aws));
export const createSqsClient = (aws: LocalAwsConfig): SQSClient => new SQSClient(clientConfig(aws));
