import type { Topology, TopologyService } from '@sluice/contracts';
import { Aws, type Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CREATE_ONLY, S3_ACTIONS, type ServiceAccess } from './access';
import type { SsmImports } from './constructs/ssm-imports';
import { type Names, pascal } from './naming';

/**
 * Queue URLs and ARNs follow from their deterministic names: a service told about another service's
 * queue needs it at run time, not at deploy time, so no deployment order between service stacks.
 */
export function queueUrl(stack: Stack, name: string): string {
  return `https://sqs.${stack.region}.${Aws.URL_SUFFIX}/${stack.account}/${name}`;
}

export function queueArn(stack: Stack, name: string): string {
  return `arn:${stack.partition}:sqs:${stack.region}:${stack.account}:${name}`;
}

/** How cdk-nag renders an SsmImports.objectsArn() resource in its IAM5 findings. */
export function nagObjectsArn(bucket: string, prefix: string): string {
  return `arn:<AWS::Partition>:s3:::<${pascal(bucket)}BucketName>/${prefix}*`;
}

export interface GrantProps {
  /** The service or function name, for the acknowledgement reasons. */
  label: string;
  access: ServiceAccess;
  environment: TopologyService['environment'];
  topology: Topology;
  imports: SsmImports;
  names: Names;
}

function refsOf(environment: TopologyService['environment'], kind: 'bucket' | 'topic' | 'queue'): string[] {
  return [
    ...new Set(
      Object.values(environment).flatMap((ref) =>
        kind in ref ? [(ref as unknown as Record<string, string>)[kind] as string] : [],
      ),
    ),
  ];
}

/** S3, SNS, SQS and KMS permissions, from an access entry (src/access.ts) and the function's environment. */
export function grantAccess(stack: Stack, role: iam.Role, props: GrantProps): void {
  const { label, access, environment, topology, imports, names } = props;
  // A bucket the environment does not name is one the function cannot address: no grant for it.
  const known = new Set(refsOf(environment, 'bucket'));
  const ack = (resource: string, reason: string) =>
    Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });

  for (const grant of access.objects.filter((g) => known.has(g.bucket))) {
    const resources = [imports.objectsArn(grant.bucket, grant.prefix)];
    const create = grant.actions.includes('create');
    if (create && grant.actions.includes('write')) {
      throw new Error(`${label}: ${grant.bucket}/${grant.prefix} grants both write and create`);
    }
    const actions = [...new Set(grant.actions.filter((a) => a !== 'create').flatMap((a) => S3_ACTIONS[a]))];
    if (actions.length > 0) role.addToPolicy(new iam.PolicyStatement({ actions, resources }));
    if (create) {
      role.addToPolicy(
        new iam.PolicyStatement({ actions: [...S3_ACTIONS.create], resources, conditions: CREATE_ONLY }),
      );
    }
    ack(
      nagObjectsArn(grant.bucket, grant.prefix),
      `Scoped to the ${grant.prefix} prefix of the ${grant.bucket} bucket: ${label} works on any asset there (keys carry the tenant and asset ids, known only per request).`,
    );
  }
  for (const bucket of access.notFoundOn.filter((b) => known.has(b))) {
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [imports.bucketArn(bucket)] }),
    );
  }
  const listed = new Map<string, string[]>();
  for (const { bucket, prefix } of access.listPrefixes.filter((l) => known.has(l.bucket))) {
    listed.set(bucket, [...(listed.get(bucket) ?? []), `${prefix}*`]);
  }
  for (const [bucket, prefixes] of listed) {
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [imports.bucketArn(bucket)],
        conditions: { StringLike: { 's3:prefix': prefixes } },
      }),
    );
  }
  const multipartBuckets = (access.listMultipartUploads ?? []).filter((b) => known.has(b));
  if (multipartBuckets.length > 0) {
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucketMultipartUploads'],
        resources: multipartBuckets.map((b) => imports.bucketArn(b)),
      }),
    );
  }

  const topics = refsOf(environment, 'topic');
  if (topics.length > 0) {
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['sns:Publish'],
        resources: topics.map((t) => imports.topicArn(t)),
      }),
    );
    // Publishing to a KMS-encrypted topic: SNS encrypts with a data key generated under the caller's identity.
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [imports.messagingKeyArn],
      }),
    );
  }
  const secrets = (access.secrets ?? []).flatMap((key) => {
    const ref = environment[key];
    return ref && 'value' in ref ? [ref.value] : [];
  });
  if (secrets.length > 0) {
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        // Secrets Manager appends six random characters to a secret's name in its ARN.
        resources: secrets.map(
          (name) =>
            `arn:${stack.partition}:secretsmanager:${stack.region}:${stack.account}:secret:${name}-??????`,
        ),
      }),
    );
  }
  const queues = refsOf(environment, 'queue');
  if (queues.length > 0) {
    const arn = (queue: string) => queueArn(stack, names.queue(queue));
    if (access.queues === 'redrive') {
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
          resources: queues.map(arn),
        }),
      );
      const dlqs = queues.flatMap((q) => {
        const dlq = topology.queues[q]?.deadLetter.queue;
        return dlq ? [dlq] : [];
      });
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: [
            'sqs:GetQueueAttributes',
            'sqs:GetQueueUrl',
            'sqs:ReceiveMessage',
            'sqs:DeleteMessage',
            'sqs:ChangeMessageVisibility',
          ],
          resources: dlqs.map(arn),
        }),
      );
    } else {
      role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: queues.map(arn) }));
    }
  }
}

/** The edge's CloudFront distributions: the one named by edgeDistributionId, else the account's. */
export function edgeDistributionArn(stack: Stack, distributionId: string | undefined): string {
  return `arn:${stack.partition}:cloudfront::${stack.account}:distribution/${distributionId ?? '*'}`;
}
