import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { createLogger } from '../src/logger';
import { sqsBatchHandler } from '../src/sqs-batch';

function sqsRecord(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1700000000000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1700000000001',
    },
    messageAttributes: {},
    md5OfBody: 'md5',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:processor-queue',
    awsRegion: 'us-east-1',
  };
}

const context = { functionName: 'test', awsRequestId: 'req-1' } as Context;

describe('sqsBatchHandler', () => {
  const logger = createLogger('test');
  beforeAll(() => logger.setLogLevel('SILENT'));

  it.each([true, false])('fails only the bad record (processInParallel=%s)', async (processInParallel) => {
    const seen: string[] = [];
    const handler = sqsBatchHandler(
      async (record) => {
        seen.push(record.body);
        if (record.body === 'poison') throw new Error('cannot handle');
      },
      { logger, processInParallel },
    );
    const event: SQSEvent = {
      Records: [sqsRecord('a', 'ok-1'), sqsRecord('b', 'poison'), sqsRecord('c', 'ok-2')],
    };
    const response = await handler(event, context);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'b' }] });
    expect(seen.sort()).toEqual(['ok-1', 'ok-2', 'poison']);
  });

  it('reports no failures when every record succeeds', async () => {
    const handler = sqsBatchHandler(async () => {}, { logger });
    await expect(handler({ Records: [sqsRecord('a', 'x')] }, context)).resolves.toEqual({
      batchItemFailures: [],
    });
  });

  it('throws when every record fails, so Lambda retries the whole batch', async () => {
    const handler = sqsBatchHandler(
      async () => {
        throw new Error('down');
      },
      { logger },
    );
    await expect(handler({ Records: [sqsRecord('a', 'x'), sqsRecord('b', 'y')] }, context)).rejects.toThrow(
      /All records failed/,
    );
  });
});
