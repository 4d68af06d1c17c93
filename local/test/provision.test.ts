import {
  GetBucketNotificationConfigurationCommand,
  GetBucketVersioningCommand,
  ListBucketsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  GetSubscriptionAttributesCommand,
  ListSubscriptionsCommand,
  PublishCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { topology } from '@sluice/contracts';
import { createS3Client, createSnsClient, createSqsClient } from '../src/aws';
import { type MotoServer, startMoto } from '../src/moto';
import { provision, type ResourceMap, resolveEnvironment } from '../src/provision';
import { decodeS3EventKey } from '../src/s3-event-normalizer';
import type { TopologyLike } from '../src/topology';
import { uniquePrefix, waitFor } from './helpers';

describe('provision (the contracts topology on moto)', () => {
  let moto: MotoServer;
  let s3: S3Client;
  let sns: SNSClient;
  let sqs: SQSClient;
  let resources: ResourceMap;
  const prefix = uniquePrefix('prov');

  beforeAll(async () => {
    moto = await startMoto();
    s3 = createS3Client({ endpoint: moto.endpoint });
    sns = createSnsClient({ endpoint: moto.endpoint });
    sqs = createSqsClient({ endpoint: moto.endpoint });
    resources = await provision({ endpoint: moto.endpoint, namePrefix: prefix });
  });

  afterAll(async () => {
    s3?.destroy();
    sns?.destroy();
    sqs?.destroy();
    await moto?.stop();
  });

  it('names every resource <prefix>-<logical name>', () => {
    expect(Object.keys(resources.buckets).sort()).toEqual(Object.keys(topology.buckets).sort());
    expect(Object.keys(resources.topics).sort()).toEqual(Object.keys(topology.topics).sort());
    const dlqs = Object.values(topology.queues).map((queue) => queue.deadLetter.queue);
    expect(Object.keys(resources.queues).sort()).toEqual([...Object.keys(topology.queues), ...dlqs].sort());
    expect(resources.buckets.ingest).toBe(`${prefix}-ingest`);
    expect(resources.topics['pipeline-events']).toBe(
      `arn:aws:sns:us-east-1:123456789012:${prefix}-pipeline-events`,
    );
    expect(resources.queues['processor-queue']?.url).toMatch(new RegExp(`/${prefix}-processor-queue$`));
  });

  it('creates the buckets, versioned where the topology says so', async () => {
    const { Buckets = [] } = await s3.send(new ListBucketsCommand({}));
    expect(Buckets.map((bucket) => bucket.Name)).toEqual(
      expect.arrayContaining(Object.values(resources.buckets)),
    );
    for (const [logical, spec] of Object.entries(topology.buckets)) {
      const versioning = await s3.send(
        new GetBucketVersioningCommand({ Bucket: resources.buckets[logical] }),
      );
      expect(versioning.Status === 'Enabled').toBe(spec.versioned);
    }
  });

  it('gives each queue its timeouts, retention and redrive policy', async () => {
    for (const [logical, spec] of Object.entries(topology.queues)) {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: resources.queues[logical]?.url, AttributeNames: ['All'] }),
      );
      expect(Attributes.VisibilityTimeout).toBe(String(spec.visibilityTimeoutSeconds));
      expect(Attributes.MessageRetentionPeriod).toBe(String(spec.retentionSeconds));
      expect(JSON.parse(Attributes.RedrivePolicy ?? '{}')).toEqual({
        deadLetterTargetArn: resources.queues[spec.deadLetter.queue]?.arn,
        maxReceiveCount: spec.deadLetter.maxReceiveCount,
      });
      const dlq = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: resources.queues[spec.deadLetter.queue]?.url,
          AttributeNames: ['MessageRetentionPeriod'],
        }),
      );
      expect(dlq.Attributes?.MessageRetentionPeriod).toBe(String(spec.deadLetter.retentionSeconds));
    }
  });

  it('subscribes the queues to their topics with the delivery the topology asks for', async () => {
    const { Subscriptions = [] } = await sns.send(new ListSubscriptionsCommand({}));
    for (const [logical, spec] of Object.entries(topology.queues)) {
      for (const subscription of spec.subscriptions) {
        const found = Subscriptions.filter(
          (s) =>
            s.TopicArn === resources.topics[subscription.topic] &&
            s.Endpoint === resources.queues[logical]?.arn,
        );
        expect(found).toHaveLength(1);
        const { Attributes = {} } = await sns.send(
          new GetSubscriptionAttributesCommand({ SubscriptionArn: found[0]?.SubscriptionArn }),
        );
        expect(Attributes.RawMessageDelivery).toBe(String(subscription.rawMessageDelivery));
      }
    }
  });

  it('configures every bucket notification of the topology with its events, filters and topic', async () => {
    const config = await s3.send(
      new GetBucketNotificationConfigurationCommand({ Bucket: resources.buckets.processed }),
    );
    const actual = (config.TopicConfigurations ?? []).map((c) => ({
      events: c.Events,
      rules: (c.Filter?.Key?.FilterRules ?? []).map((rule) => [rule.Name?.toLowerCase(), rule.Value]),
      topicArn: c.TopicArn,
    }));
    const expected = topology.buckets.processed?.notifications.map((n) => ({
      events: n.events,
      rules: [...(n.prefix ? [['prefix', n.prefix]] : []), ...(n.suffix ? [['suffix', n.suffix]] : [])],
      topicArn: resources.topics[n.topic],
    }));
    expect(expected?.length).toBeGreaterThan(0);
    expect(actual).toEqual(expect.arrayContaining(expected ?? []));
    expect(actual).toHaveLength(expected?.length ?? 0);
  });

  it('can run again on the same moto without duplicating anything', async () => {
    const again = await provision({ endpoint: moto.endpoint, namePrefix: prefix });
    expect(again).toEqual(resources);
    const { Subscriptions = [] } = await sns.send(new ListSubscriptionsCommand({}));
    expect(Subscriptions.filter((s) => s.Endpoint === resources.queues['archiver-queue']?.arn)).toHaveLength(
      1,
    );
  });

  it('delivers an upload under uploads/ to the processor queue as an SNS envelope', async () => {
    const key = 'uploads/asset-42/my photo.jpg';
    await s3.send(new PutObjectCommand({ Bucket: resources.buckets.ingest, Key: key, Body: 'jpeg bytes' }));
    // Outside the prefix: no event.
    await s3.send(
      new PutObjectCommand({ Bucket: resources.buckets.ingest, Key: 'elsewhere/x.jpg', Body: 'x' }),
    );

    const queueUrl = resources.queues['processor-queue']?.url;
    const events = await waitFor('the upload event', async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      const objectEvents = Messages.map((message) => JSON.parse(message.Body ?? '{}')).filter(
        (envelope) => envelope.Type === 'Notification' && JSON.parse(envelope.Message).Records,
      );
      return objectEvents.length > 0 ? objectEvents : undefined;
    });
    expect(events).toHaveLength(1);
    expect(events[0].TopicArn).toBe(resources.topics['ingest-notifications']);
    const record = JSON.parse(events[0].Message).Records[0];
    expect(record.eventName).toBe('ObjectCreated:Put');
    expect(record.s3.bucket.name).toBe(resources.buckets.ingest);
    expect(decodeS3EventKey(record.s3.object.key)).toBe(key);
  });

  it('resolves a service environment to names, ARNs and values', () => {
    expect(resolveEnvironment('archiver', resources)).toEqual({
      INGEST_BUCKET: `${prefix}-ingest`,
      PROCESSED_BUCKET: `${prefix}-processed`,
      ARCHIVE_BUCKET: `${prefix}-archive`,
      ARCHIVE_STORAGE_CLASS: 'GLACIER_IR',
      PIPELINE_EVENTS_TOPIC_ARN: resources.topics['pipeline-events'],
    });
    const withQueue = {
      ...topology,
      services: {
        probe: { entry: 'x.ts', trigger: { type: 'sqs' }, environment: { Q: { queue: 'indexer-dlq' } } },
      },
    };
    expect(resolveEnvironment('probe', resources, withQueue)).toEqual({
      Q: resources.queues['indexer-dlq']?.url,
    });
    expect(() => resolveEnvironment('nope', resources)).toThrow(/Unknown service "nope"/);
  });

  it('applies raw delivery and filter policies', async () => {
    const filtered: TopologyLike = {
      buckets: {},
      topics: { events: {} },
      queues: {
        rejected: {
          subscriptions: [
            { topic: 'events', rawMessageDelivery: true, filterPolicy: { type: ['asset.rejected'] } },
          ],
        },
      },
      services: {},
    };
    const created = await provision({
      endpoint: moto.endpoint,
      topology: filtered,
      namePrefix: uniquePrefix('filter'),
    });
    for (const type of ['asset.processed', 'asset.rejected']) {
      await sns.send(
        new PublishCommand({
          TopicArn: created.topics.events,
          Message: JSON.stringify({ type }),
          MessageAttributes: { type: { DataType: 'String', StringValue: type } },
        }),
      );
    }
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: created.queues.rejected?.url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );
    expect(Messages.map((message) => message.Body)).toEqual([JSON.stringify({ type: 'asset.rejected' })]);
  });
});
