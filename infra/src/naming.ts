/**
 * Physical names, stack names and SSM parameter paths, all derived from the stage and the topology's
 * logical names. Stacks never reference each other's resources: a consumer reads an SSM parameter
 * (resolved by CloudFormation at deploy time) or, for dashboards, a deterministic physical name.
 */
export function pascal(name: string): string {
  return name
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('');
}

export class Names {
  constructor(readonly stage: string) {}

  /** `Sluice-dev-Foundation`, `Sluice-dev-ProcessorService`, ... */
  stack(part: string): string {
    return `Sluice-${this.stage}-${part}`;
  }

  serviceStack(service: string): string {
    return this.stack(`${pascal(service)}Service`);
  }

  /** Lambda function name, also the name in `/aws/lambda/<name>`. */
  function(service: string): string {
    return `sluice-${this.stage}-${service}`;
  }

  logGroup(service: string): string {
    return `/aws/lambda/${this.function(service)}`;
  }

  queue(queue: string): string {
    return `sluice-${this.stage}-${queue}`;
  }

  topic(topic: string): string {
    return `sluice-${this.stage}-${topic}`;
  }

  get alarmTopic(): string {
    return `sluice-${this.stage}-alarms`;
  }

  httpApi(service: string): string {
    return `sluice-${this.stage}-${service}-api`;
  }

  httpApiAccessLogGroup(service: string): string {
    return `/sluice/${this.stage}/${service}/http-api-access`;
  }

  get dashboard(): string {
    return `sluice-${this.stage}-pipeline`;
  }

  private param(...parts: string[]): string {
    return `/sluice/${this.stage}/${parts.join('/')}`;
  }

  bucketNameParam(bucket: string): string {
    return this.param('buckets', bucket, 'name');
  }

  /** The S3 Vectors vector bucket of the search index (foundation stack). */
  get vectorBucketNameParam(): string {
    return this.param('vector-buckets', 'search', 'name');
  }

  get vectorBucketArnParam(): string {
    return this.param('vector-buckets', 'search', 'arn');
  }

  topicArnParam(topic: string): string {
    return this.param('topics', topic, 'arn');
  }

  queueUrlParam(queue: string): string {
    return this.param('queues', queue, 'url');
  }

  queueArnParam(queue: string): string {
    return this.param('queues', queue, 'arn');
  }

  /** The customer managed key that encrypts the SNS topics (S3 and CloudWatch publish to them). */
  get messagingKeyArnParam(): string {
    return this.param('keys', 'messaging', 'arn');
  }

  get alarmTopicArnParam(): string {
    return this.param('topics', 'alarms', 'arn');
  }

  functionArnParam(service: string): string {
    return this.param('services', service, 'function-arn');
  }

  batchOperationsStack(name: string): string {
    return this.stack(`${pascal(name)}BatchOperations`);
  }

  /** The role S3 Batch Operations jobs assume to invoke a batch function. */
  batchJobRoleArnParam(name: string): string {
    return this.param('batch-operations', name, 'job-role-arn');
  }

  functionUrlParam(service: string): string {
    return this.param('services', service, 'function-url');
  }

  /** The HTTP API's execute-api host name, the edge stack's origin. */
  httpApiDomainParam(service: string): string {
    return this.param('services', service, 'http-api-domain');
  }
}
