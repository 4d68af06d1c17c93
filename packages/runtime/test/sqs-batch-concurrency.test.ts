import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { createLogger } from '../src/logger';
import { sqsBatchHandler } from '../src/sqs-batch';

const record = (messageId: string, body: string) =>
  ({
    messageId,
    receiptHandle: `handle-${messageId}`,
    body,
    attributes: { ApproximateReceiveCount: '1' },
    messageAttributes: {},
    md5OfBody: 'md5',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:processor-queue',
    awsRegion: 'us-east-1',
  }) as unknown as SQSRecord;

const context = { functionName: 'test', awsRequestId: 'req-1' } as Context;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The local runtime runs up to two batches at once in one function host; the fault-injection
// end-to-end test lost a poison message that way when the handler shared one BatchProcessor.
describe('sqsBatchHandler with two invocations at once in one process', () => {
  const logger = createLogger('test');
  beforeAll(() => logger.setLogLevel('SILENT'));

  it('keeps each batch to its own failures, whichever finishes first', async () => {
    const handler = sqsBatchHandler(
      async (r) => {
        if (r.body === 'poison') {
          await sleep(30);
          throw new Error('cannot handle');
        }
        await sleep(r.body === 'slow' ? 60 : 1);
      },
      { logger },
    );
    const poisoned: SQSEvent = { Records: [record('bad', 'poison'), record('ok', 'ok')] };
    const good: SQSEvent = { Records: [record('g1', 'ok'), record('g2', 'ok')] };
    const slow: SQSEvent = { Records: [record('s1', 'slow')] };
    const [a, b, c] = await Promise.all([
      handler(poisoned, context),
      sleep(5).then(() => handler(good, context)),
      sleep(10).then(() => handler(slow, context)),
    ]);
    expect(a).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
    expect(b).toEqual({ batchItemFailures: [] });
    expect(c).toEqual({ batchItemFailures: [] });
  });
});
