import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { topology as defaultTopology, type Topology } from '@sluice/contracts';
import { parseArchiveKey, parseManifestKey, parseUploadKey } from '@sluice/runtime';
import type { Deployment } from './deployment';

/** A queue and its dead-letter queue, by topology name, with what the deployment calls them. */
export interface DeadLetterPair {
  queue: string;
  deadLetterQueue: string;
  queueUrl: string;
  deadLetterUrl: string;
  /** The service the queue triggers, if any. */
  service?: string;
}

export class DlqError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DlqError';
  }
}

/** Every queue of the topology that has a dead-letter queue and is in the deployment, with its URLs. */
export function deadLetterPairs(
  deployment: Deployment,
  topology: Topology = defaultTopology,
): DeadLetterPair[] {
  return Object.entries(topology.queues).flatMap(([queue, spec]) => {
    const queueUrl = deployment.queues[queue]?.url;
    const deadLetterUrl = deployment.queues[spec.deadLetter.queue]?.url;
    if (!queueUrl || !deadLetterUrl) return [];
    const service = Object.entries(topology.services).find(
      ([, s]) => s.trigger.type === 'sqs' && s.trigger.queue === queue,
    )?.[0];
    return [
      {
        queue,
        deadLetterQueue: spec.deadLetter.queue,
        queueUrl,
        deadLetterUrl,
        ...(service ? { service } : {}),
      },
    ];
  });
}

/** A DLQ named by itself, by its source queue, or by the service that queue triggers. */
export function resolveDeadLetter(
  name: string,
  deployment: Deployment,
  topology: Topology = defaultTopology,
) {
  const pairs = deadLetterPairs(deployment, topology);
  const pair = pairs.find((p) => p.deadLetterQueue === name || p.queue === name || p.service === name);
  if (!pair) {
    throw new DlqError(
      `Unknown queue "${name}"; dead-letter queues: ${pairs.map((p) => `${p.deadLetterQueue} (${p.service ?? p.queue})`).join(', ')}`,
    );
  }
  return pair;
}

/** What a dead-lettered message is about, from its body: S3 objects, a pipeline event, or unknown. */
export interface MessageSummary {
  messageId: string;
  receiveCount: number;
  sentAt?: string;
  kind: 's3-event' | 's3-test-event' | 'pipeline-event' | 'unparsed';
  /** bucket/key of each S3 record. */
  objects: string[];
  assetIds: string[];
  bytes: number;
}

const ASSET_ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** The asset an object key belongs to, by the key layout (uploads/, originals/, manifests/, ...). */
function assetIdOfKey(key: string): string | undefined {
  const withoutBucket = key.slice(key.indexOf('/') + 1);
  return (
    parseUploadKey(withoutBucket)?.assetId ??
    parseArchiveKey(withoutBucket)?.assetId ??
    parseManifestKey(withoutBucket) ??
    /^(?:renditions|rejections|index\/[^/]+)\/([0-9a-f-]{36})/.exec(withoutBucket)?.[1]
  );
}

export function summarize(message: Message): MessageSummary {
  const body = message.Body ?? '';
  const attributes = message.Attributes ?? {};
  const sent = Number(attributes.SentTimestamp);
  const base = {
    messageId: message.MessageId ?? '',
    receiveCount: Number(attributes.ApproximateReceiveCount ?? 0),
    ...(Number.isFinite(sent) && sent > 0 ? { sentAt: new Date(sent).toISOString() } : {}),
    bytes: Buffer.byteLength(body),
  };
  let doc: unknown;
  try {
    doc = JSON.parse(body);
    const envelope = doc as { Type?: string; Message?: string };
    if (envelope?.Type === 'Notification' && typeof envelope.Message === 'string')
      doc = JSON.parse(envelope.Message);
  } catch {
    return { ...base, kind: 'unparsed', objects: [], assetIds: [...new Set(body.match(ASSET_ID) ?? [])] };
  }
  const d = doc as {
    Event?: string;
    Records?: { s3?: { bucket?: { name?: string }; object?: { key?: string } } }[];
    type?: string;
  };
  if (d?.Event === 's3:TestEvent') return { ...base, kind: 's3-test-event', objects: [], assetIds: [] };
  if (Array.isArray(d?.Records)) {
    const objects = d.Records.map((r) => {
      const key = r.s3?.object?.key ?? '';
      let decoded = key;
      try {
        decoded = decodeURIComponent(key.replace(/\+/g, ' '));
      } catch {
        // Keep the raw key.
      }
      return `${r.s3?.bucket?.name ?? '?'}/${decoded}`;
    });
    const assetIds = [...new Set(objects.flatMap((o) => assetIdOfKey(o) ?? []))];
    return { ...base, kind: 's3-event', objects, assetIds };
  }
  const assetId = (d as { assetId?: unknown }).assetId;
  if (typeof d?.type === 'string' && d.type.startsWith('asset.')) {
    return {
      ...base,
      kind: 'pipeline-event',
      objects: [],
      assetIds: typeof assetId === 'string' ? [assetId] : [],
    };
  }
  return { ...base, kind: 'unparsed', objects: [], assetIds: [...new Set(body.match(ASSET_ID) ?? [])] };
}

/** Which messages a redrive moves: all, or those whose body (or summary) matches. */
export interface MessageFilter {
  /** Messages about this asset id. */
  assetId?: string;
  /** Messages whose raw body or decoded object keys contain this text. */
  contains?: string;
}

export function matches(message: Message, filter: MessageFilter): boolean {
  const summary = summarize(message);
  if (filter.assetId && !summary.assetIds.includes(filter.assetId)) return false;
  if (filter.contains) {
    const haystack = [message.Body ?? '', ...summary.objects].join('\n');
    if (!haystack.includes(filter.contains)) return false;
  }
  return true;
}

export interface QueueCounts {
  visible: number;
  inFlight: number;
}

export interface DlqOptions {
  /** Longest any one receive waits for messages (long polling). Default 1 s. */
  waitSeconds?: number;
  /** How long messages are hidden while a command looks at them. Default 60 s. */
  holdSeconds?: number;
}

/**
 * Inspect, redrive and purge the dead-letter queues. Inspecting and filtered redrives receive
 * messages (hiding them for holdSeconds), act, then make the ones left alone visible again at once.
 * A redrive sends each message to its source queue before deleting it from the DLQ: a crash in
 * between leaves a duplicate (handlers are idempotent), never a loss.
 */
export class DlqTool {
  constructor(
    private readonly sqs: SQSClient,
    private readonly deployment: Deployment,
    private readonly topology: Topology = defaultTopology,
    private readonly options: DlqOptions = {},
  ) {}

  async counts(url: string): Promise<QueueCounts> {
    const { Attributes = {} } = await this.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return {
      visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    };
  }

  async list(): Promise<(DeadLetterPair & QueueCounts)[]> {
    const pairs = deadLetterPairs(this.deployment, this.topology);
    return Promise.all(pairs.map(async (pair) => ({ ...pair, ...(await this.counts(pair.deadLetterUrl)) })));
  }

  private async receive(url: string): Promise<Message[]> {
    const out = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: this.options.waitSeconds ?? 1,
        VisibilityTimeout: this.options.holdSeconds ?? 60,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    return out.Messages ?? [];
  }

  private async release(url: string, messages: Message[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
      const batch = messages.slice(i, i + 10);
      await this.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: url,
          Entries: batch.map((m, j) => ({
            Id: String(j),
            ReceiptHandle: m.ReceiptHandle,
            VisibilityTimeout: 0,
          })),
        }),
      );
    }
  }

  /** Up to `limit` messages of a DLQ, summarized (with bodies); they stay in the DLQ. */
  async inspect(
    name: string,
    limit = 10,
  ): Promise<{ pair: DeadLetterPair; messages: (MessageSummary & { body: string })[] }> {
    const pair = resolveDeadLetter(name, this.deployment, this.topology);
    const seen = new Map<string, Message>();
    try {
      while (seen.size < limit) {
        const batch = await this.receive(pair.deadLetterUrl);
        const fresh = batch.filter((m) => !seen.has(m.MessageId ?? ''));
        for (const m of fresh) seen.set(m.MessageId ?? '', m);
        if (fresh.length === 0) break;
      }
    } finally {
      await this.release(pair.deadLetterUrl, [...seen.values()]);
    }
    const messages = [...seen.values()].slice(0, limit).map((m) => ({ ...summarize(m), body: m.Body ?? '' }));
    return { pair, messages };
  }

  /**
   * Moves messages from a DLQ back to its source queue, bodies and attributes unchanged: all of
   * them, or those matching `filter`, at most `maxMessages`. Answers how many moved and were left.
   */
  async redrive(
    name: string,
    {
      filter = {},
      maxMessages = 1000,
      onProgress,
    }: { filter?: MessageFilter; maxMessages?: number; onProgress?: (moved: number) => void } = {},
  ): Promise<{ pair: DeadLetterPair; moved: number; skipped: number; remaining: number }> {
    const pair = resolveDeadLetter(name, this.deployment, this.topology);
    const held: Message[] = [];
    const seen = new Set<string>();
    let moved = 0;
    try {
      while (moved < maxMessages) {
        const batch = (await this.receive(pair.deadLetterUrl)).filter((m) => !seen.has(m.MessageId ?? ''));
        if (batch.length === 0) break;
        for (const m of batch) seen.add(m.MessageId ?? '');
        const chosen: Message[] = [];
        for (const m of batch) {
          if (chosen.length + moved < maxMessages && matches(m, filter)) chosen.push(m);
          else held.push(m);
        }
        if (chosen.length === 0) continue;
        const sent = await this.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: pair.queueUrl,
            Entries: chosen.map((m, i) => ({
              Id: String(i),
              MessageBody: m.Body ?? '',
              ...(m.MessageAttributes && Object.keys(m.MessageAttributes).length > 0
                ? { MessageAttributes: m.MessageAttributes }
                : {}),
            })),
          }),
        );
        const sentIds = new Set((sent.Successful ?? []).map((s) => Number(s.Id)));
        const done = chosen.filter((_, i) => sentIds.has(i));
        held.push(...chosen.filter((_, i) => !sentIds.has(i)));
        if (done.length > 0) {
          await this.sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: pair.deadLetterUrl,
              Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
            }),
          );
        }
        moved += done.length;
        onProgress?.(moved);
        if ((sent.Failed ?? []).length > 0) {
          throw new DlqError(
            `SQS refused ${(sent.Failed ?? []).length} message(s) on ${pair.queue}: ${(sent.Failed ?? []).map((f) => f.Message ?? f.Code).join('; ')}`,
          );
        }
      }
    } finally {
      await this.release(pair.deadLetterUrl, held);
    }
    const { visible, inFlight } = await this.counts(pair.deadLetterUrl);
    return { pair, moved, skipped: held.length, remaining: visible + inFlight };
  }

  /** Deletes every message of a DLQ (PurgeQueue). The CLI asks for confirmation first. */
  async purge(name: string): Promise<{ pair: DeadLetterPair; purged: number }> {
    const pair = resolveDeadLetter(name, this.deployment, this.topology);
    const { visible, inFlight } = await this.counts(pair.deadLetterUrl);
    await this.sqs.send(new PurgeQueueCommand({ QueueUrl: pair.deadLetterUrl }));
    return { pair, purged: visible + inFlight };
  }
}
