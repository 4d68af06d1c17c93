import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { PipelineEvent, UploadResponse } from '@sluice/contracts';

export const FIXTURES = resolve(__dirname, '../../../../shared/fixtures');

export function fixture(path: string): Buffer {
  return readFileSync(join(FIXTURES, path));
}

export function awsClients(endpoint: string) {
  const common = {
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  return {
    s3: new S3Client({ ...common, forcePathStyle: true }),
    sns: new SNSClient(common),
    sqs: new SQSClient(common),
  };
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs = 60_000, intervalMs = 250 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(
    `Timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`,
  );
}

export async function objectExists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
      return false;
    throw error;
  }
}

export async function requestUpload(
  apiUrl: string,
  token: string,
  body: Record<string, unknown>,
): Promise<{ status: number; json: UploadResponse & { error?: { code: string; message: string } } }> {
  const response = await fetch(`${apiUrl}/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as never };
}

/** Sends a file the way a browser form would: the policy fields first, the file last. */
export async function postFile(
  upload: UploadResponse['upload'],
  body: Buffer,
  contentType: string,
): Promise<number> {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append('file', new Blob([body], { type: contentType }));
  const response = await fetch(upload.url, { method: 'POST', body: form });
  return response.status;
}

/** A queue subscribed to the pipeline-events topic, to watch what the services announce. */
export class PipelineEventTap {
  private readonly seen: PipelineEvent[] = [];

  private constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  static async attach(
    sns: SNSClient,
    sqs: SQSClient,
    topicArn: string,
    name: string,
  ): Promise<PipelineEventTap> {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: attrs.Attributes?.QueueArn,
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    return new PipelineEventTap(sqs, QueueUrl as string);
  }

  async drain(): Promise<PipelineEvent[]> {
    const out = await this.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: this.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    const messages = out.Messages ?? [];
    for (const message of messages) this.seen.push(JSON.parse(message.Body ?? '{}') as PipelineEvent);
    if (messages.length > 0) {
      await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
    return this.seen;
  }

  /** Waits for an event of `type` about `assetId`. */
  async waitFor(type: PipelineEvent['type'], assetId: string, timeoutMs = 60_000): Promise<PipelineEvent> {
    return eventually(
      `${type} for ${assetId}`,
      async () => (await this.drain()).find((e) => e.type === type && e.assetId === assetId),
      { timeoutMs },
    );
  }

  eventsFor(assetId: string): PipelineEvent[] {
    return this.seen.filter((e) => e.assetId === assetId);
  }
}
