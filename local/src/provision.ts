import {
  CreateBucketCommand,
  type FilterRule,
  PutBucketNotificationConfigurationCommand,
  PutBucketVersioningCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateTopicCommand,
  ListSubscriptionsByTopicCommand,
  SetSubscriptionAttributesCommand,
  type SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { createS3Client, createSnsClient, createSqsClient, type LocalAwsConfig } from './aws';
import { applyStoragePolicy } from './storage-policy';
import { defaultTopology, type QueueSpec, serviceSpec, type TopologyLike } from './topology';

export const DEFAULT_NAME_PREFIX = 'sluice-local';

/** Logical names (as in the topology) to physical resources. */
export interface ResourceMap {
  buckets: Record<string, string>;
  topics: Record<string, string>;
  queues: Record<string, { url: string; arn: string }>;
}

export interface ProvisionOptions extends LocalAwsConfig {
  /** Physical names are `${namePrefix}-${logical}`. Default `sluice-local`. */
  namePrefix?: string;
  topology?: TopologyLike;
}

export const physicalName = (namePrefix: string, logical: string): string => `${namePrefix}-${logical}`;

function errorName(error: unknown): string {
  return (error as { name?: string; Code?: string }).name ?? '';
}

async function ensureBucket(
  s3: S3Client,
  name: string,
  versioned: boolean,
  objectLock = false,
): Promise<void> {
  try {
    // Object Lock can only be switched on when a bucket is created (it implies versioning).
    await s3.send(
      new CreateBucketCommand({ Bucket: name, ...(objectLock ? { ObjectLockEnabledForBucket: true } : {}) }),
    );
  } catch (error) {
    // Re-provisioning: the bucket is already ours.
    if (!['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes(errorName(error))) throw error;
  }
  if (versioned) {
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Enabled' } }),
    );
  }
}

async function ensureQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<{ url: string; arn: string }> {
  let url: string | undefined;
  try {
    url = (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
  } catch (error) {
    if (!/QueueDoesNotExist|NonExistentQueue/.test(errorName(error))) throw error;
  }
  if (url) {
    // CreateQueue refuses changed attributes on an existing queue: update them instead.
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
  } else {
    url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl;
  }
  if (!url) throw new Error(`SQS returned no URL for queue ${name}`);
  const got = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  const arn = got.Attributes?.QueueArn;
  if (!arn) throw new Error(`SQS returned no ARN for queue ${name}`);
  return { url, arn };
}

function queueAttributes(spec: QueueSpec, deadLetterArn: string | undefined): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (spec.visibilityTimeoutSeconds !== undefined) {
    attributes.VisibilityTimeout = String(spec.visibilityTimeoutSeconds);
  }
  if (spec.retentionSeconds !== undefined) attributes.MessageRetentionPeriod = String(spec.retentionSeconds);
  if (spec.deadLetter && deadLetterArn) {
    attributes.RedrivePolicy = JSON.stringify({
      deadLetterTargetArn: deadLetterArn,
      maxReceiveCount: spec.deadLetter.maxReceiveCount,
    });
  }
  return attributes;
}

async function ensureSubscription(
  sns: SNSClient,
  topicArn: string,
  queueArn: string,
  attributes: Record<string, string>,
): Promise<void> {
  let existing: string | undefined;
  let nextToken: string | undefined;
  do {
    const page = await sns.send(
      new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: nextToken }),
    );
    existing = page.Subscriptions?.find(
      (s) => s.Protocol === 'sqs' && s.Endpoint === queueArn,
    )?.SubscriptionArn;
    nextToken = page.NextToken;
  } while (!existing && nextToken);

  if (!existing) {
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: queueArn,
        Attributes: attributes,
        ReturnSubscriptionArn: true,
      }),
    );
    return;
  }
  for (const [AttributeName, AttributeValue] of Object.entries(attributes)) {
    await sns.send(
      new SetSubscriptionAttributesCommand({ SubscriptionArn: existing, AttributeName, AttributeValue }),
    );
  }
}

function lookup<T>(map: Record<string, T>, kind: string, logical: string, where: string): T {
  const value = map[logical];
  if (value === undefined) throw new Error(`${where} refers to unknown ${kind} "${logical}"`);
  return value;
}

/**
 * Creates everything the topology describes: buckets (versioning), topics, queues with their
 * DLQs, SNS→SQS subscriptions and bucket notifications. Safe to run again on the same emulator.
 */
export async function provision(options: ProvisionOptions): Promise<ResourceMap> {
  const topology = options.topology ?? defaultTopology;
  const prefix = options.namePrefix ?? DEFAULT_NAME_PREFIX;
  const s3 = createS3Client(options);
  const sns = createSnsClient(options);
  const sqs = createSqsClient(options);
  const resources: ResourceMap = { buckets: {}, topics: {}, queues: {} };

  try {
    for (const topic of Object.keys(topology.topics)) {
      const created = await sns.send(new CreateTopicCommand({ Name: physicalName(prefix, topic) }));
      if (!created.TopicArn) throw new Error(`SNS returned no ARN for topic ${topic}`);
      resources.topics[topic] = created.TopicArn;
    }

    // Dead-letter queues first: the source queues' redrive policies name their ARNs.
    for (const spec of Object.values(topology.queues)) {
      const dlq = spec.deadLetter;
      if (!dlq || resources.queues[dlq.queue]) continue;
      const attributes: Record<string, string> = {};
      if (dlq.retentionSeconds !== undefined)
        attributes.MessageRetentionPeriod = String(dlq.retentionSeconds);
      resources.queues[dlq.queue] = await ensureQueue(sqs, physicalName(prefix, dlq.queue), attributes);
    }
    for (const [queue, spec] of Object.entries(topology.queues)) {
      const dlqArn = spec.deadLetter ? resources.queues[spec.deadLetter.queue]?.arn : undefined;
      resources.queues[queue] = await ensureQueue(
        sqs,
        physicalName(prefix, queue),
        queueAttributes(spec, dlqArn),
      );
    }

    for (const [queue, spec] of Object.entries(topology.queues)) {
      const queueArn = lookup(resources.queues, 'queue', queue, 'provision').arn;
      for (const subscription of spec.subscriptions ?? []) {
        const topicArn = lookup(resources.topics, 'topic', subscription.topic, `queue "${queue}"`);
        const attributes: Record<string, string> = {
          RawMessageDelivery: String(subscription.rawMessageDelivery === true),
        };
        if (subscription.filterPolicy) {
          attributes.FilterPolicy = JSON.stringify(subscription.filterPolicy);
          attributes.FilterPolicyScope = subscription.filterPolicyScope ?? 'MessageAttributes';
        }
        await ensureSubscription(sns, topicArn, queueArn, attributes);
      }
    }

    for (const [bucket, spec] of Object.entries(topology.buckets)) {
      const name = physicalName(prefix, bucket);
      await ensureBucket(s3, name, spec.versioned === true, spec.storage?.objectLock?.enabled === true);
      await applyStoragePolicy(s3, name, spec.storage);
      resources.buckets[bucket] = name;

      // The configuration replaces any previous one, which keeps re-provisioning idempotent.
      // moto answers each topic configuration with an s3:TestEvent message, as AWS does.
      const notifications = spec.notifications ?? [];
      await s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: name,
          NotificationConfiguration: {
            TopicConfigurations: notifications.map((notification, index) => {
              const rules: FilterRule[] = [];
              if (notification.prefix) rules.push({ Name: 'prefix', Value: notification.prefix });
              if (notification.suffix) rules.push({ Name: 'suffix', Value: notification.suffix });
              return {
                Id: `${bucket}-${notification.topic}-${index}`,
                TopicArn: lookup(resources.topics, 'topic', notification.topic, `bucket "${bucket}"`),
                Events: notification.events as never,
                ...(rules.length > 0 ? { Filter: { Key: { FilterRules: rules } } } : {}),
              };
            }),
          },
        }),
      );
    }
  } finally {
    s3.destroy();
    sns.destroy();
    sqs.destroy();
  }
  return resources;
}

/**
 * A service's environment from its topology refs: bucket → name, topic → ARN, queue → URL,
 * value → itself.
 */
export function resolveEnvironment(
  serviceName: string,
  resources: ResourceMap,
  topology: TopologyLike = defaultTopology,
): Record<string, string> {
  const spec = serviceSpec(topology, serviceName);
  const env: Record<string, string> = {};
  for (const [name, ref] of Object.entries(spec.environment ?? {})) {
    const where = `service "${serviceName}" environment ${name}`;
    if (ref.bucket !== undefined) env[name] = lookup(resources.buckets, 'bucket', ref.bucket, where);
    else if (ref.topic !== undefined) env[name] = lookup(resources.topics, 'topic', ref.topic, where);
    else if (ref.queue !== undefined) env[name] = lookup(resources.queues, 'queue', ref.queue, where).url;
    else if (ref.value !== undefined) env[name] = ref.value;
    else throw new Error(`${where}: expected one of bucket, topic, queue or value`);
  }
  return env;
}
