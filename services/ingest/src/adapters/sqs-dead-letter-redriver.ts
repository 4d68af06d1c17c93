import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { DeadLetterRedriver, RedriveOutcome } from '../ports/dead-letter-redriver';

/**
 * Moves messages from a queue's dead-letter queue (read from its RedrivePolicy) back to it, ten at
 * a time: receive, send (body and attributes unchanged), then delete only what was sent. A crash in
 * between sends a message twice at worst, which the pipeline's idempotent handlers absorb; a failed
 * send leaves the message in the DLQ. Works wherever SQS does (moto has no StartMessageMoveTask).
 */
export class SqsDeadLetterRedriver implements DeadLetterRedriver {
  constructor(private readonly sqs: SQSClient) {}

  async redrive(queueUrl: string, maxMessages: number): Promise<RedriveOutcome> {
    const attributes = await this.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['RedrivePolicy'] }),
    );
    const policy = JSON.parse(attributes.Attributes?.RedrivePolicy ?? '{}') as {
      deadLetterTargetArn?: string;
    };
    const arn = policy.deadLetterTargetArn?.split(':');
    const [account, name] = [arn?.[4], arn?.[5]];
    if (!account || !name) throw new Error(`Queue ${queueUrl} has no dead-letter queue (no RedrivePolicy)`);
    const { QueueUrl: dlqUrl } = await this.sqs.send(
      new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }),
    );
    if (!dlqUrl) throw new Error(`Dead-letter queue ${name} not found`);

    let moved = 0;
    while (moved < maxMessages) {
      const out = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: dlqUrl,
          MaxNumberOfMessages: Math.min(10, maxMessages - moved),
          WaitTimeSeconds: 1,
          VisibilityTimeout: 60,
          MessageAttributeNames: ['All'],
        }),
      );
      const messages = out.Messages ?? [];
      if (messages.length === 0) break;
      const sent = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: messages.map((message, index) => ({
            Id: String(index),
            MessageBody: message.Body ?? '',
            ...(message.MessageAttributes && Object.keys(message.MessageAttributes).length > 0
              ? { MessageAttributes: message.MessageAttributes }
              : {}),
          })),
        }),
      );
      const done = (sent.Successful ?? []).map((entry) => Number(entry.Id));
      if (done.length > 0) {
        await this.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: dlqUrl,
            Entries: done.map((index) => ({
              Id: String(index),
              ReceiptHandle: messages[index]?.ReceiptHandle,
            })),
          }),
        );
      }
      moved += done.length;
      if (done.length < messages.length) break; // SQS refused some sends: stop, they stay in the DLQ.
    }
    const after = await this.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    return {
      deadLetterQueue: name,
      moved,
      remaining: Number(after.Attributes?.ApproximateNumberOfMessages ?? 0),
    };
  }
}
