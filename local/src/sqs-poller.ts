import { createHash } from 'node:crypto';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from 'aws-lambda';
import { LOCAL_REGION } from './aws';
import {
  captureEvent,
  createLambdaContext,
  DEFAULT_TIMEOUT_SECONDS,
  type FunctionSettings,
  invokeHandler,
  type LambdaHandler,
} from './lambda';
import { jsonLogger, type LocalLogger } from './log';
import { S3EventNormalizer } from './s3-event-normalizer';

/**
 * Lambda's SQS event source mapping, locally: long-polls a queue, gathers batches (batchSize
 * within maxBatchingWindowSeconds), runs at most maximumConcurrency batches at once, builds the
 * event exactly as Lambda does and honours ReportBatchItemFailures (partial batch responses).
 *
 * One deliberate difference: a failed record is made visible again after retryDelaySeconds
 * (default 1 s) instead of after the queue's visibility timeout (minutes, at 6x the function
 * timeout), so retries and redrive to the DLQ after maxReceiveCount happen at a local pace. The
 * redrive itself is the queue's own (moto's), exactly as on AWS.
 */

export interface SqsPollerOptions extends FunctionSettings {
  sqs: SQSClient;
  queueUrl: string;
  /** eventSourceARN; looked up from the queue when left out. */
  queueArn?: string;
  handler: LambdaHandler;
  /** Records per invocation, 1–10,000. Default 10. */
  batchSize?: number;
  /** How long to gather records before invoking, 0–300 s. Default 0. */
  maxBatchingWindowSeconds?: number;
  /** Batches in flight at once. Default 2 (kept small locally). */
  maximumConcurrency?: number;
  /** Delay before a failed record is received again. Default 1 s. */
  retryDelaySeconds?: number;
  /** Long-poll wait per ReceiveMessage: also the longest stop() waits for an idle poll. Default 1 s. */
  waitTimeSeconds?: number;
  /** Rewrites moto's S3 events in message bodies into AWS's shape; false to pass bodies through. */
  normalizer?: S3EventNormalizer | false;
  /** Writes every event built to this folder, one JSON file per invocation. */
  captureEventsDir?: string;
  logger?: LocalLogger;
  /** Called after each invocation has been settled (deletes and retries done). */
  onInvocation?: (outcome: InvocationOutcome) => void;
}

export interface InvocationOutcome {
  awsRequestId: string;
  messageIds: string[];
  /** Deleted from the queue. */
  succeeded: string[];
  /** Left on the queue, visible again after retryDelaySeconds. */
  failed: string[];
  /** Why the whole batch failed, when it did. */
  batchError?: Error;
  durationMs: number;
}

/** A handler response that Lambda would reject: the whole batch fails. */
export class InvalidBatchResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidBatchResponseError';
  }
}

const MAX_RECEIVE = 10;
const LAMBDA_SYSTEM_ATTRIBUTES = [
  'ApproximateReceiveCount',
  'SentTimestamp',
  'SenderId',
  'ApproximateFirstReceiveTimestamp',
  // FIFO queues, X-Ray and redriven messages only:
  'SequenceNumber',
  'MessageGroupId',
  'MessageDeduplicationId',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
] as const;

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

function lambdaMessageAttributes(attributes: Record<string, MessageAttributeValue> | undefined) {
  const out: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    out[name] = {
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined
        ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }
        : {}),
      stringListValues: [],
      binaryListValues: [],
      dataType: value.DataType ?? 'String',
    };
  }
  return out;
}

/** One SQS message as a Lambda event record (the body already normalized, if it needed to be). */
export function toLambdaRecord(message: Message, body: string, queueArn: string, region: string): SQSRecord {
  const attributes: Record<string, string> = {};
  for (const name of LAMBDA_SYSTEM_ATTRIBUTES) {
    const value = message.Attributes?.[name];
    if (value !== undefined) attributes[name] = value;
  }
  const original = message.Body ?? '';
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body,
    attributes: attributes as unknown as SQSRecordAttributes,
    messageAttributes: lambdaMessageAttributes(message.MessageAttributes),
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    md5OfBody: body === original && message.MD5OfBody ? message.MD5OfBody : md5(body),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * Which records failed, by Lambda's rules for ReportBatchItemFailures: no response or no (or an
 * empty) batchItemFailures list means all succeeded; anything malformed fails the whole batch.
 */
export function failedRecordIds(response: unknown, messageIds: readonly string[]): Set<string> {
  if (response === null || typeof response !== 'object') return new Set();
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) throw new InvalidBatchResponseError('batchItemFailures is not a list');
  const known = new Set(messageIds);
  const failed = new Set<string>();
  for (const item of failures) {
    const id = (item as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '') {
      throw new InvalidBatchResponseError(`batchItemFailures has an empty or missing itemIdentifier`);
    }
    if (!known.has(id)) {
      throw new InvalidBatchResponseError(`batchItemFailures names ${id}, which is not in this batch`);
    }
    failed.add(id);
  }
  return failed;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class SqsPoller {
  private readonly options: SqsPollerOptions;
  private readonly log: LocalLogger;
  private readonly normalizer: S3EventNormalizer | undefined;
  private readonly stopController = new AbortController();
  private workers: Promise<void>[] = [];
  private queueArn: string | undefined;
  /** Set when stop() gave up waiting: late results are then ignored, not settled. */
  private abandoned = false;

  constructor(options: SqsPollerOptions) {
    this.options = options;
    this.log = options.logger ?? jsonLogger('sluice-local');
    this.normalizer =
      options.normalizer === false ? undefined : (options.normalizer ?? new S3EventNormalizer());
    this.queueArn = options.queueArn;
  }

  get running(): boolean {
    return this.workers.length > 0 && !this.stopController.signal.aborted;
  }

  private get stopping(): boolean {
    return this.stopController.signal.aborted;
  }

  /** Starts polling; resolves once the queue's ARN is known. */
  async start(): Promise<void> {
    if (this.workers.length > 0) return;
    if (!this.queueArn) {
      const got = await this.options.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: this.options.queueUrl, AttributeNames: ['QueueArn'] }),
      );
      this.queueArn = got.Attributes?.QueueArn;
      if (!this.queueArn) throw new Error(`No ARN for queue ${this.options.queueUrl}`);
    }
    const concurrency = Math.max(1, this.options.maximumConcurrency ?? 2);
    for (let slot = 0; slot < concurrency; slot++) this.workers.push(this.work(slot));
  }

  /**
   * Stops polling and waits for in-flight batches to finish, up to graceMs (default: the function
   * timeout). A batch still running after that is abandoned: its records stay on the queue and come
   * back after their visibility timeout, as they would after a Lambda crash.
   */
  async stop(graceMs?: number): Promise<void> {
    if (this.stopping) return;
    this.stopController.abort();
    const grace = graceMs ?? (this.options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000 + 2000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), grace);
    });
    const finished = Promise.allSettled(this.workers).then(() => false);
    this.abandoned = await Promise.race([finished, timedOut]);
    clearTimeout(timer);
    if (this.abandoned) {
      this.log('WARN', 'Stopped with a batch still running; it was abandoned', { queue: this.queue });
    }
  }

  private get queue(): string {
    return this.options.queueUrl.split('/').pop() ?? this.options.queueUrl;
  }

  /** A sleep that ends early when stop() is called. */
  private sleep(ms: number): Promise<void> {
    const signal = this.stopController.signal;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done);
    });
  }

  private async work(slot: number): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      try {
        const messages = await this.gather();
        failures = 0;
        if (messages.length === 0) continue;
        if (this.stopping) {
          await this.release(messages);
          break;
        }
        await this.invoke(messages);
      } catch (error) {
        if (this.stopping) break;
        // moto restarting, or briefly overloaded: back off and keep polling.
        failures++;
        const delay = Math.min(10_000, 250 * 2 ** Math.min(failures, 6));
        this.log('ERROR', 'Polling failed; retrying', { queue: this.queue, slot, delayMs: delay, error });
        await this.sleep(delay);
      }
    }
  }

  private async receive(max: number, waitSeconds: number): Promise<Message[]> {
    const got = await this.options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.options.queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    return got.Messages ?? [];
  }

  /** One batch: long-poll for the first records, then keep gathering until full or the window closes. */
  private async gather(): Promise<Message[]> {
    const batchSize = Math.max(1, this.options.batchSize ?? 10);
    const windowMs = (this.options.maxBatchingWindowSeconds ?? 0) * 1000;
    const first = await this.receive(Math.min(MAX_RECEIVE, batchSize), this.options.waitTimeSeconds ?? 1);
    const batch = [...first];
    if (batch.length === 0 || windowMs === 0) return batch;

    const windowEnds = Date.now() + windowMs;
    while (!this.stopping && batch.length < batchSize) {
      const remaining = windowEnds - Date.now();
      if (remaining <= 0) break;
      const more = await this.receive(
        Math.min(MAX_RECEIVE, batchSize - batch.length),
        Math.floor(remaining / 1000),
      );
      batch.push(...more);
      if (more.length === 0 && remaining < 1000) await this.sleep(Math.min(100, remaining));
    }
    return batch;
  }

  private async invoke(messages: Message[]): Promise<void> {
    const queueArn = this.queueArn ?? '';
    const region = this.options.region ?? LOCAL_REGION;
    const timeoutSeconds = this.options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    const records = messages.map((message) => {
      const original = message.Body ?? '';
      let body = original;
      try {
        body = this.normalizer ? this.normalizer.normalizeSqsBody(original) : original;
      } catch (error) {
        this.log('WARN', 'Could not normalize a message body; passing it through', {
          queue: this.queue,
          error,
        });
      }
      return toLambdaRecord(message, body, queueArn, region);
    });
    const event: SQSEvent = { Records: records };
    const context = createLambdaContext(this.options);
    const messageIds = records.map((record) => record.messageId);
    const startedAt = Date.now();

    if (this.options.captureEventsDir) {
      try {
        await captureEvent(
          this.options.captureEventsDir,
          this.options.functionName,
          context.awsRequestId,
          event,
        );
      } catch (error) {
        this.log('WARN', 'Could not capture an event', { error });
      }
    }

    let failed: Set<string>;
    let batchError: Error | undefined;
    try {
      const response = await invokeHandler(this.options.handler, event, context, timeoutSeconds);
      failed = failedRecordIds(response, messageIds);
    } catch (error) {
      batchError = error instanceof Error ? error : new Error(String(error));
      failed = new Set(messageIds);
    }
    const durationMs = Date.now() - startedAt;
    if (this.abandoned) return;

    const succeeded = messages.filter((message) => !failed.has(message.MessageId ?? ''));
    const retried = messages.filter((message) => failed.has(message.MessageId ?? ''));
    await Promise.all([this.delete(succeeded), this.retryLater(retried)]);

    const fields = {
      queue: this.queue,
      requestId: context.awsRequestId,
      records: messages.length,
      failed: retried.length,
      durationMs,
    };
    if (batchError)
      this.log('ERROR', 'Batch failed', { ...fields, outcome: 'batch-failed', error: batchError });
    else if (retried.length > 0)
      this.log('WARN', 'Batch partially failed', { ...fields, outcome: 'partial' });
    else this.log('DEBUG', 'Batch succeeded', { ...fields, outcome: 'succeeded' });

    this.options.onInvocation?.({
      awsRequestId: context.awsRequestId,
      messageIds,
      succeeded: succeeded.map((message) => message.MessageId ?? ''),
      failed: retried.map((message) => message.MessageId ?? ''),
      ...(batchError ? { batchError } : {}),
      durationMs,
    });
  }

  private async delete(messages: Message[]): Promise<void> {
    for (const batch of chunks(messages, MAX_RECEIVE)) {
      const result = await this.options.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.options.queueUrl,
          Entries: batch.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
      if (result.Failed?.length) {
        this.log('WARN', 'Some processed messages could not be deleted; they will be delivered again', {
          queue: this.queue,
          failed: result.Failed,
        });
      }
    }
  }

  private async changeVisibility(messages: Message[], seconds: number): Promise<void> {
    for (const batch of chunks(messages, MAX_RECEIVE)) {
      await this.options.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.options.queueUrl,
          Entries: batch.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
            VisibilityTimeout: seconds,
          })),
        }),
      );
    }
  }

  /** The local shortcut: failed records come back after retryDelaySeconds, not the visibility timeout. */
  private retryLater(messages: Message[]): Promise<void> {
    return this.changeVisibility(messages, Math.max(0, Math.round(this.options.retryDelaySeconds ?? 1)));
  }

  /** Hands back records gathered but never invoked (we are stopping). */
  private async release(messages: Message[]): Promise<void> {
    try {
      await this.changeVisibility(messages, 0);
    } catch {
      // They come back after their visibility timeout anyway.
    }
  }
}
