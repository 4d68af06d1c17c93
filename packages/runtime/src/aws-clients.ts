import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { AwsConfig } from './config';

export function createS3Client(aws: AwsConfig): S3Client {
  return new S3Client({ region: aws.region, endpoint: aws.endpoint, forcePathStyle: aws.forcePathStyle });
}

export function createSnsClient(aws: AwsConfig): SNSClient {
  return new SNSClient({ region: aws.region, endpoint: aws.endpoint });
}

export function createSqsClient(aws: AwsConfig): SQSClient {
  return new SQSClient({ region: aws.region, endpoint: aws.endpoint });
}
