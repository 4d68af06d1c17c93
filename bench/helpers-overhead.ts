/**
 * Per-message overhead of the shared service helpers (@sluice/runtime): a synthetic SQS event of
 * 10 records, each an SNS envelope around an S3 event notification as AWS sends it, through
 *
 *   bare       a loop calling a no-op record handler, answering an empty batchItemFailures
 *   parse      the bare loop + JSON.parse of the envelope and of the S3 event (what any handler must do)
 *   decode     the bare loop + s3EventsFromSqsBody (parse, validate envelope and event, decode keys)
 *   helpers    sqsBatchHandler (Powertools BatchProcessor, partial batch response) + s3EventsFromSqsBody
 *              + one logPipelineStep line per record (Powertools Logger, JSON to stdout)
 *
 * Prints µs per message (median of ROUNDS rounds) and the overhead of `helpers` over `bare`.
 * Log lines go to stdout: run with stdout discarded (bench/e2e.ts does); the results go to stderr,
 * and as JSON to the file named by --out.
 */
import { writeFileSync } from 'node:fs';
import { createLogger, logPipelineStep, s3EventsFromSqsBody, sqsBatchHandler } from '@sluice/runtime';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';

const BATCH = 10;
const BATCHES = Number(process.env.SLUICE_BENCH_BATCHES ?? 2000);
const ROUNDS = Number(process.env.SLUICE_BENCH_ROUNDS ?? 5);

function s3Notification(i: number): string {
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: '2026-03-01T12:00:00.000Z',
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'AWS:AIDAEXAMPLE' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: {
          'x-amz-request-id': 'C3D13FE58DE4C810',
          'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD',
        },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'ingest-notifications',
          bucket: {
            name: 'sluice-ingest',
            ownerIdentity: { principalId: 'A3NL1KOZZKExample' },
            arn: 'arn:aws:s3:::sluice-ingest',
          },
          object: {
            key: `uploads/acme/0b6a7c1e-2f4d-4e8a-9c3b-${String(i).padStart(12, '0')}/holiday+photo+%C3%BC.jpg`,
            size: 1024 * (i + 1),
            eTag: 'd41d8cd98f00b204e9800998ecf8427e',
            sequencer: `0055AED6DCD9028${String(i).padStart(3, '0')}`,
          },
        },
      },
    ],
  });
}

function sqsRecord(i: number): SQSRecord {
  const envelope = {
    Type: 'Notification',
    MessageId: `5f0b8b9a-0000-4000-8000-${String(i).padStart(12, '0')}`,
    TopicArn: 'arn:aws:sns:us-east-1:123456789012:ingest-notifications',
    Subject: 'Amazon S3 Notification',
    Message: s3Notification(i),
    Timestamp: '2026-03-01T12:00:00.100Z',
    SignatureVersion: '1',
    Signature:
      'EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=',
    SigningCertURL:
      'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem',
    UnsubscribeURL:
      'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:123456789012:ingest-notifications:0',
  };
  return {
    messageId: `059f36b4-87a3-44ab-83d2-${String(i).padStart(12, '0')}`,
    receiptHandle: `AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a${i}`,
    body: JSON.stringify(envelope),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1772366400000',
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: '1772366400001',
    },
    messageAttributes: {},
    md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:processor-queue',
    awsRegion: 'us-east-1',
  };
}

const context = {
  functionName: 'processor',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:processor',
  memoryLimitInMB: '1769',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/processor',
  logStreamName: '2026/03/01/[$LATEST]abcdef',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 60_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
} as Context;

const events: SQSEvent[] = Array.from({ length: 16 }, (_, b) => ({
  Records: Array.from({ length: BATCH }, (_, i) => sqsRecord(b * BATCH + i)),
}));

type Handler = (event: SQSEvent) => Promise<unknown>;
let sink = 0;
const noop = async (record: SQSRecord) => {
  sink += record.messageId.length;
};

const logger = createLogger('bench');
const sides: Record<string, Handler> = {
  bare: async (event) => {
    for (const record of event.Records) await noop(record);
    return { batchItemFailures: [] };
  },
  parse: async (event) => {
    for (const record of event.Records) {
      const envelope = JSON.parse(record.body) as { Message: string };
      sink += (JSON.parse(envelope.Message) as { Records: unknown[] }).Records.length;
      await noop(record);
    }
    return { batchItemFailures: [] };
  },
  decode: async (event) => {
    for (const record of event.Records) {
      sink += s3EventsFromSqsBody(record.body).length;
      await noop(record);
    }
    return { batchItemFailures: [] };
  },
  helpers: (() => {
    const handler = sqsBatchHandler(
      async (record) => {
        const started = performance.now();
        for (const event of s3EventsFromSqsBody(record.body)) {
          logPipelineStep(logger, 'Processed upload', {
            assetId: event.key.split('/')[2] ?? 'unknown',
            stage: 'process',
            outcome: 'succeeded',
            durationMs: performance.now() - started,
          });
        }
        await noop(record);
      },
      { logger, processInParallel: false },
    );
    return (event: SQSEvent) => handler(event, context);
  })(),
};

async function timeSide(handler: Handler): Promise<number> {
  const started = process.hrtime.bigint();
  for (let b = 0; b < BATCHES; b++) await handler(events[b % events.length] as SQSEvent);
  const ns = Number(process.hrtime.bigint() - started);
  return ns / 1000 / (BATCHES * BATCH);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main() {
  const out = process.argv.includes('--out') ? process.argv[process.argv.indexOf('--out') + 1] : undefined;
  // Warm up every side (JIT, the validators, the logger).
  for (const handler of Object.values(sides))
    for (let b = 0; b < 200; b++) await handler(events[b % events.length] as SQSEvent);
  const rounds: Record<string, number[]> = Object.fromEntries(Object.keys(sides).map((k) => [k, []]));
  // Alternating rounds, so a burst of load elsewhere on the machine hits every side alike.
  for (let r = 0; r < ROUNDS; r++)
    for (const [name, handler] of Object.entries(sides)) rounds[name]?.push(await timeSide(handler));
  const result = Object.fromEntries(
    Object.entries(rounds).map(([k, v]) => [k, Number(median(v).toFixed(2))]),
  );
  const overhead = Number(((result.helpers ?? 0) - (result.bare ?? 0)).toFixed(2));
  const summary = {
    node: process.version,
    batch: BATCH,
    messages: BATCHES * BATCH,
    rounds: ROUNDS,
    usPerMessage: result,
    helpersOverBareUs: overhead,
    sink,
  };
  process.stderr.write(
    `helpers overhead, µs per message (median of ${ROUNDS} rounds of ${BATCHES * BATCH} messages in batches of ${BATCH}, ${process.version}):\n` +
      Object.entries(result)
        .map(([k, v]) => `  ${k.padEnd(8)} ${v}`)
        .join('\n') +
      `\n  helpers - bare: ${overhead} µs per message\n`,
  );
  if (out) writeFileSync(out, JSON.stringify(summary, null, 2));
}

void main();
