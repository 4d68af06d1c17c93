import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { createSqsClient } from '../src/aws';
import { type MotoServer, startMoto } from '../src/moto';
import { provision } from '../src/provision';
import { failedRecordIds, type InvocationOutcome, SqsPoller, type SqsPollerOptions } from '../src/sqs-poller';
import type { TopologyLike } from '../src/topology';
import * as fake from './fixtures/handlers/scripted-sqs';
import s3Events from './fixtures/moto-s3-events.json';
import { queueDepth, tempDir, uniquePrefix, waitFor } from './helpers';

const MAX_RECEIVE_COUNT = 3;
const topology: TopologyLike = {
  buckets: {},
  topics: {},
  queues: {
    work: {
      visibilityTimeoutSeconds: 30,
      deadLetter: { queue: 'work-dlq', maxReceiveCount: MAX_RECEIVE_COUNT },
    },
  },
  services: {},
};

describe('SqsPoller', () => {
  let moto: MotoServer;
  let sqs: SQSClient;
  let poller: SqsPoller | undefined;
  let outcomes: InvocationOutcome[];
  let queue: { url: string; arn: string };
  let dlq: { url: string; arn: string };

  beforeAll(async () => {
    moto = await startMoto();
    sqs = createSqsClient({ endpoint: moto.endpoint });
  });

  afterAll(async () => {
    sqs?.destroy();
    await moto?.stop();
  });

  beforeEach(async () => {
    fake.reset();
    outcomes = [];
    const resources = await provision({
      endpoint: moto.endpoint,
      topology,
      namePrefix: uniquePrefix('poll'),
    });
    queue = resources.queues.work as { url: string; arn: string };
    dlq = resources.queues['work-dlq'] as { url: string; arn: string };
  });

  afterEach(async () => {
    await poller?.stop();
    poller = undefined;
  });

  async function send(...bodies: string[]): Promise<string[]> {
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: bodies.map((body, index) => ({ Id: String(index), MessageBody: body })),
      }),
    );
    return (sent.Successful ?? [])
      .sort((a, b) => Number(a.Id) - Number(b.Id))
      .map((entry) => entry.MessageId ?? '');
  }

  function startPoller(options: Partial<SqsPollerOptions> = {}): SqsPoller {
    poller = new SqsPoller({
      sqs,
      queueUrl: queue.url,
      functionName: 'fake',
      handler: fake.handler,
      batchSize: 10,
      maximumConcurrency: 1,
      timeoutSeconds: 5,
      logger: () => {},
      onInvocation: (outcome) => outcomes.push(outcome),
      ...options,
    });
    void poller.start();
    return poller;
  }

  const okBody = (n: number) => JSON.stringify({ action: 'ok', n });
  const seenTimes = (id: string) => fake.calls.filter((call) => call.messageId === id).length;
  const deletedTimes = (id: string) =>
    outcomes.flatMap((outcome) => outcome.succeeded).filter((x) => x === id).length;

  it('deletes the successes of a partial batch once, and redrives the failure to the DLQ after maxReceiveCount', async () => {
    const [ok1, failing, ok2] = await send(okBody(1), JSON.stringify({ action: 'fail' }), okBody(2));
    startPoller();

    const inDlq = await waitFor('the failed message in the DLQ', async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: dlq.url,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      return Messages[0];
    });
    expect(inDlq.MessageId).toBe(failing);
    expect(inDlq.Attributes?.ApproximateReceiveCount).toBe(String(MAX_RECEIVE_COUNT + 1));

    expect(fake.calls.filter((call) => call.messageId === failing).map((call) => call.receiveCount)).toEqual([
      1, 2, 3,
    ]);
    for (const id of [ok1, ok2] as string[]) {
      expect(seenTimes(id)).toBe(1);
      expect(deletedTimes(id)).toBe(1);
    }
    expect(deletedTimes(failing as string)).toBe(0);
    expect(outcomes[0]).toMatchObject({ succeeded: [ok1, ok2], failed: [failing] });
    expect(await queueDepth(sqs, queue.url)).toBe(0);
  });

  it('fails the whole batch when the handler throws, and retries every record', async () => {
    const ids = await send(JSON.stringify({ action: 'throw-first' }), okBody(1));
    startPoller();
    await waitFor('both records deleted', () => ids.every((id) => deletedTimes(id) === 1));

    expect(outcomes[0]?.batchError?.message).toBe('scripted failure');
    expect(outcomes[0]?.failed.sort()).toEqual([...ids].sort());
    const receiveCounts = fake.batches.map((batch) =>
      batch.Records.map(
        (record) => `${record.messageId}:${record.attributes.ApproximateReceiveCount}`,
      ).sort(),
    );
    expect(receiveCounts).toEqual([ids.map((id) => `${id}:1`).sort(), ids.map((id) => `${id}:2`).sort()]);
    expect(await queueDepth(sqs, queue.url)).toBe(0);
    expect(await queueDepth(sqs, dlq.url)).toBe(0);
  });

  it('fails the whole batch when the handler runs past its timeout', async () => {
    const [id] = await send(JSON.stringify({ action: 'sleep-first' }));
    startPoller({ timeoutSeconds: 1 });
    await waitFor('the record deleted after a retry', () => deletedTimes(id as string) === 1);
    expect(outcomes[0]?.batchError).toMatchObject({
      name: 'FunctionTimeoutError',
      message: 'Task timed out after 1.00 seconds',
    });
    expect(seenTimes(id as string)).toBe(2);
  });

  it.each([
    ['an empty itemIdentifier', { itemIdentifier: '' }],
    ['a null itemIdentifier', { itemIdentifier: null }],
    ['an unknown itemIdentifier', { itemIdentifier: 'not-in-this-batch' }],
    ['a badly named key', { itemId: 'x' }],
  ])('fails the whole batch on %s', async (_, badId) => {
    const ids = await send(JSON.stringify({ action: 'bad-id-first', badId }), okBody(1));
    startPoller();
    await waitFor('both records deleted', () => ids.every((id) => deletedTimes(id) === 1));
    expect(outcomes[0]?.batchError?.name).toBe('InvalidBatchResponseError');
    expect(outcomes[0]?.failed.sort()).toEqual([...ids].sort());
  });

  it('builds the event exactly as Lambda does, and captures it', async () => {
    const capture = tempDir('capture');
    try {
      const body = 'hello, world';
      const sent = await sqs.send(
        new SendMessageCommand({
          QueueUrl: queue.url,
          MessageBody: body,
          MessageAttributes: {
            type: { DataType: 'String', StringValue: 'asset.processed' },
            size: { DataType: 'Number', StringValue: '42' },
            blob: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) },
          },
        }),
      );
      startPoller({ captureEventsDir: capture.dir, functionName: 'shape' });
      await waitFor('one invocation', () => outcomes.length === 1);

      const event = fake.batches[0] as SQSEvent;
      const record = event.Records[0];
      expect(Object.keys(record ?? {})).toEqual([
        'messageId',
        'receiptHandle',
        'body',
        'attributes',
        'messageAttributes',
        'md5OfMessageAttributes',
        'md5OfBody',
        'eventSource',
        'eventSourceARN',
        'awsRegion',
      ]);
      expect(record).toMatchObject({
        messageId: sent.MessageId,
        body,
        md5OfBody: createHash('md5').update(body).digest('hex'),
        md5OfMessageAttributes: sent.MD5OfMessageAttributes,
        eventSource: 'aws:sqs',
        eventSourceARN: queue.arn,
        awsRegion: 'us-east-1',
      });
      expect(Object.keys(record?.attributes ?? {})).toEqual([
        'ApproximateReceiveCount',
        'SentTimestamp',
        'SenderId',
        'ApproximateFirstReceiveTimestamp',
      ]);
      expect(record?.attributes.ApproximateReceiveCount).toBe('1');
      expect(record?.messageAttributes).toEqual({
        type: {
          stringValue: 'asset.processed',
          stringListValues: [],
          binaryListValues: [],
          dataType: 'String',
        },
        size: { stringValue: '42', stringListValues: [], binaryListValues: [], dataType: 'Number' },
        blob: { binaryValue: 'AQID', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
      });

      const files = readdirSync(capture.dir);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(new RegExp(`-shape-${outcomes[0]?.awsRequestId}\\.json$`));
      expect(JSON.parse(readFileSync(path.join(capture.dir, files[0] ?? ''), 'utf8'))).toEqual(event);
    } finally {
      capture.remove();
    }
  });

  it('hands handlers S3 events in AWS shape, with md5OfBody to match', async () => {
    const mothEvent = s3Events.enveloped.find((body) => body.includes('asset-7')) ?? '';
    await send(mothEvent);
    startPoller();
    await waitFor('one invocation', () => outcomes.length === 1);
    const record = (fake.batches[0] as SQSEvent).Records[0];
    const s3Record = JSON.parse(JSON.parse(record?.body ?? '{}').Message).Records[0];
    expect(s3Record.s3.object.key).toBe('uploads/asset-7/deep/nested/folder/file.txt');
    expect(s3Record.eventTime).toMatch(/Z$/);
    expect(s3Record.s3.object.sequencer).toMatch(/^[0-9A-F]{18}$/);
    expect(record?.md5OfBody).toBe(
      createHash('md5')
        .update(record?.body ?? '')
        .digest('hex'),
    );
  });

  it('fills batches up to batchSize within the batching window', async () => {
    await send(...[1, 2, 3, 4, 5, 6, 7].map(okBody));
    startPoller({ batchSize: 5, maxBatchingWindowSeconds: 1 });
    await waitFor('every record handled', () => fake.calls.length === 7);
    expect(fake.batches.map((batch) => batch.Records.length)).toEqual([5, 2]);
  });

  it('runs at most maximumConcurrency batches at once', async () => {
    await send(...[1, 2, 3, 4, 5, 6].map((n) => JSON.stringify({ action: 'ok', n, sleepMs: 400 })));
    startPoller({ batchSize: 1, maximumConcurrency: 2 });
    await waitFor('every record handled', () => outcomes.length === 6);
    expect(fake.maxInFlight).toBe(2);
  });

  it('finishes the batch in flight when stopped', async () => {
    const [id] = await send(JSON.stringify({ action: 'ok', sleepMs: 600 }));
    const running = startPoller();
    await waitFor('the handler to start', () => fake.calls.length === 1);
    await running.stop();
    expect(deletedTimes(id as string)).toBe(1);
    expect(await queueDepth(sqs, queue.url)).toBe(0);
  });

  it('abandons a batch that outlasts the stop grace period, leaving it on the queue', async () => {
    const [id] = await send(JSON.stringify({ action: 'ok', sleepMs: 1500 }));
    const running = startPoller();
    await waitFor('the handler to start', () => fake.calls.length === 1);
    const started = Date.now();
    await running.stop(200);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(deletedTimes(id as string)).toBe(0);
    // Still invisible, in flight: it comes back after its visibility timeout, as after a crash.
    expect(await queueDepth(sqs, queue.url)).toBe(1);
    // The handler's late result is ignored: nothing is deleted behind our back.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(deletedTimes(id as string)).toBe(0);
    expect(outcomes).toHaveLength(0);
  });

  it('stops promptly when idle, and start/stop twice is harmless', async () => {
    const running = startPoller();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    await running.stop();
    await running.stop();
    expect(Date.now() - started).toBeLessThan(2500);
    expect(running.running).toBe(false);
  });
});

describe('failedRecordIds (ReportBatchItemFailures rules)', () => {
  const ids = ['a', 'b'];
  it.each([undefined, null, {}, { batchItemFailures: [] }, { batchItemFailures: null }, 'done'])(
    'treats %j as all succeeded',
    (response) => expect(failedRecordIds(response, ids).size).toBe(0),
  );

  it('returns the named records', () => {
    expect([...failedRecordIds({ batchItemFailures: [{ itemIdentifier: 'b' }] }, ids)]).toEqual(['b']);
  });

  it.each([
    { batchItemFailures: 'b' },
    { batchItemFailures: [{ itemIdentifier: '' }] },
    { batchItemFailures: [{ itemIdentifier: null }] },
    { batchItemFailures: [{ itemIdentifier: 'zzz' }] },
    { batchItemFailures: [{ id: 'a' }] },
    { batchItemFailures: [null] },
  ])('rejects %j', (response) => {
    expect(() => failedRecordIds(response, ids)).toThrow(
      expect.objectContaining({ name: 'InvalidBatchResponseError' }),
    );
  });
});
