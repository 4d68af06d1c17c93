import { Aws, CfnParameter, type Stack } from 'aws-cdk-lib';
import { type Names, pascal } from '../naming';

/**
 * Values another stack published, read through SSM-typed CloudFormation parameters: CloudFormation
 * resolves them at each deploy, and nothing ties the stacks together (no Fn::ImportValue, no stack
 * dependency). Parameters get readable logical ids (IngestBucketName, PipelineEventsTopicArn, ...), which
 * is also what cdk-nag shows in its findings.
 */
export class SsmImports {
  private readonly cache = new Map<string, string>();

  constructor(
    private readonly stack: Stack,
    private readonly names: Names,
  ) {}

  private value(logicalId: string, parameterName: string, description: string): string {
    const cached = this.cache.get(logicalId);
    if (cached) return cached;
    const param = new CfnParameter(this.stack, logicalId, {
      type: 'AWS::SSM::Parameter::Value<String>',
      default: parameterName,
      description,
    });
    this.cache.set(logicalId, param.valueAsString);
    return param.valueAsString;
  }

  bucketName(bucket: string): string {
    return this.value(
      `${pascal(bucket)}BucketName`,
      this.names.bucketNameParam(bucket),
      `Name of the ${bucket} bucket (foundation stack)`,
    );
  }

  bucketArn(bucket: string): string {
    return `arn:${Aws.PARTITION}:s3:::${this.bucketName(bucket)}`;
  }

  /** ARN of every object under a prefix, e.g. arn:aws:s3:::bucket/uploads/* */
  objectsArn(bucket: string, prefix: string): string {
    return `${this.bucketArn(bucket)}/${prefix}*`;
  }

  /** The search index's S3 Vectors vector bucket (foundation stack). */
  get vectorBucketName(): string {
    return this.value(
      'SearchVectorBucketName',
      this.names.vectorBucketNameParam,
      'Name of the S3 Vectors vector bucket of the search index (foundation stack)',
    );
  }

  get vectorBucketArn(): string {
    return this.value(
      'SearchVectorBucketArn',
      this.names.vectorBucketArnParam,
      'ARN of the S3 Vectors vector bucket of the search index (foundation stack)',
    );
  }

  topicArn(topic: string): string {
    return this.value(
      `${pascal(topic)}TopicArn`,
      this.names.topicArnParam(topic),
      `ARN of the ${topic} topic (foundation stack)`,
    );
  }

  get messagingKeyArn(): string {
    return this.value(
      'MessagingKeyArn',
      this.names.messagingKeyArnParam,
      'ARN of the KMS key that encrypts the SNS topics (foundation stack)',
    );
  }

  get alarmTopicArn(): string {
    return this.value(
      'AlarmTopicArn',
      this.names.alarmTopicArnParam,
      'ARN of the alarm topic (foundation stack)',
    );
  }

  functionUrl(service: string): string {
    return this.value(
      `${pascal(service)}FunctionUrl`,
      this.names.functionUrlParam(service),
      `Function URL of the ${service} service`,
    );
  }

  httpApiDomain(service: string): string {
    return this.value(
      `${pascal(service)}HttpApiDomain`,
      this.names.httpApiDomainParam(service),
      `Host name of the ${service} HTTP API`,
    );
  }
}
