import { randomBytes } from 'node:crypto';
import { SNSClient, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { PipelineEvent } from '@sluice/contracts';
import { CliError, ExitCode } from './errors';

/*
 * Live pipeline events for `sluice watch` and for `upload --wait`: a temporary SQS queue
 * subscribed (raw delivery) to the pipeline-events SNS topic, with an SNS filter policy on the
 * `type` attribute when only some types are wanted. Removed again on close. Works the same
 * against the local stack (endpoint from .sluice/local.json) and AWS (the default credential chain
 * needs sqs:CreateQueue/DeleteQueue/ReceiveMessage and sns:Subscribe/Unsubscribe).
 */

export interface EventStreamOptions {
  topicArn: string;
  region: string;
  endpoint?: string;
  /** Only these event types (SNS filter policy on the `type` message attribute). */
  types?: string[];
}

function awsConfig(options: EventStreamOptions) {
  const local =
    options.endpoint !== undefined && /^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(options.endpoint);
  return {
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    // The local emulator takes any credentials; AWS gets the default chain.
    ...(local ? { credentials: { accessKeyId: 'test', secretAccessKey: 'test' } } : {}),
    maxAttempts: 2,
  };
}

function unreachable(error: unknown, options: EventStreamOptions): unknown {
  const code =
    (error as { code?: string; cause?: { code?: string } }).code ??
    (error as { cause?: { code?: string } }).cause?.code;
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(String((error as Error).message))) {
    return new CliError(
      `Cannot reach the AWS endpoint ${options.endpoint ?? '(default)'} for pipeline events (${code ?? 'ECONNREFUSED'})`,
      ExitCode.unreachable,
      'Is the local stack running? Start it with `npm start`.',
    );
  }
  return error;
}

export class PipelineEventStream {
  private closed = false;

  private constructor(
    private readonly sqs: SQSClient,
    private readonly sns: SNSClient,
    private readonly queueUrl: string,
    private readonly subscriptionArn: string | undefined,
  ) {}

  static async open(options: EventStreamOptions): Promise<PipelineEventStream> {
    const config = awsConfig(options);
    const sqs = new SQSClient(config);
    const sns = new SNSClient(config);
    let queueUrl: string | undefined;
    try {
      const name = `sluice-watch-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
      const created = await sqs.send(
        new CreateQueueCommand({ QueueName: name, Attributes: { MessageRetentionPeriod: '3600' } }),
      );
      queueUrl = created.QueueUrl as string;
      const attributes = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
      );
      const queueArn = attributes.Attributes?.QueueArn as string;
      // On AWS the topic may only deliver to a queue whose policy lets it.
      await sqs.send(
        new SetQueueAttributesCommand({
          QueueUrl: queueUrl,
          Attributes: {
            Policy: JSON.stringify({
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Principal: { Service: 'sns.amazonaws.com' },
                  Action: 'sqs:SendMessage',
                  Resource: queueArn,
                  Condition: { ArnEquals: { 'aws:SourceArn': options.topicArn } },
                },
              ],
            }),
          },
        }),
      );
      const subscription = await sns.send(
        new SubscribeCommand({
          TopicArn: options.topicArn,
          Protocol: 'sqs',
          Endpoint: queueArn,
          ReturnSubscriptionArn: true,
          Attributes: {
            RawMessageDelivery: 'true',
            ...(options.types?.length ? { FilterPolicy: JSON.stringify({ type: options.types }) } : {}),
          },
        }),
      );
      return new PipelineEventStream(sqs, sns, queueUrl, subscription.SubscriptionArn);
    } catch (error) {
      if (queueUrl) await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })).catch(() => {});
      sqs.destroy();
      sns.destroy();
      throw unreachable(error, options);
    }
  }

  /** The next batch of events (long poll up to `waitSeconds`); [] when none came. */
  async receive(waitSeconds = 1, signal?: AbortSignal): Promise<PipelineEvent[]> {
    if (this.closed) return [];
    const out = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: waitSeconds,
      }),
      { abortSignal: signal },
    );
    const messages = out.Messages ?? [];
    if (messages.length > 0) {
      await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: messages.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle })),
        }),
      );
    }
    const events: PipelineEvent[] = [];
    for (const message of messages) {
      try {
        const event = JSON.parse(message.Body ?? '') as PipelineEvent;
        if (event && typeof event.type === 'string' && typeof event.assetId === 'string') events.push(event);
      } catch {
        // Not an event: ignore it.
      }
    }
    return events.sort((a, b) => a.time.localeCompare(b.time));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.subscriptionArn && this.subscriptionArn !== 'pending confirmation') {
      await this.sns.send(new UnsubscribeCommand({ SubscriptionArn: this.subscriptionArn })).catch(() => {});
    }
    await this.sqs.send(new DeleteQueueCommand({ QueueUrl: this.queueUrl })).catch(() => {});
    this.sqs.destroy();
    this.sns.destroy();
  }
}

/** One line for a person: `12:04:05  asset.rejected  5a78…  corrupt-file: ...`. */
export function describeEvent(event: PipelineEvent): string {
  const time = event.time.slice(11, 19);
  const detail = event.detail as unknown as Record<string, unknown>;
  let what = '';
  switch (event.type) {
    case 'asset.processed':
      what = `${detail.renditions} renditions`;
      break;
    case 'asset.indexed':
      what = String(detail.documentKey ?? '');
      break;
    case 'asset.archived':
      what = `${detail.storageClass} ${detail.key}`;
      break;
    case 'asset.rejected':
      what = `${detail.reason}: ${detail.message}`;
      break;
  }
  return `${time}  ${event.type.padEnd(15)} ${event.assetId}  ${what}`;
}
