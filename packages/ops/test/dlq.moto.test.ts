import { PassThrough } from 'node:stream';
import {
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { createSqsClient, type MotoServer, provision, startMoto } from '@sluice/local';
import { runCli } from '../src/cli';
import type { Deployment } from '../src/deployment';
import { DlqTool } from '../src/dlq';

const ASSET_A = '0b6a7c1e-2f4d-4e8a-9c3b-5d6e7f8a9b0c';
const ASSET_B = '3f6c1a52-9b7e-4d0a-8c21-5e4f7d2b9a10';

/** An S3 ObjectCreated notification for a manifest, wrapped in an SNS envelope, as the archiver's queue gets it. */
function manifestEvent(assetId: string): string {
  const s3Event = {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        eventName: 'ObjectCreated:Put',
        s3: {
          bucket: { name: 'sluice-dlq-processed' },
          object: { key: `manifests/${assetId}.json`, size: 10, sequencer: '0A' },
        },
      },
    ],
  };
  return JSON.stringify({ Type: 'Notification', MessageId: assetId, Message: JSON.stringify(s3Event) });
}

describe('DLQ tooling on moto', () => {
  let moto: MotoServer;
  let sqs: SQSClient;
  let deployment: Deployment;
  let tool: DlqTool;

  beforeAll(async () => {
    moto = await startMoto();
    sqs = createSqsClient({ endpoint: moto.endpoint });
    const resources = await provision({ endpoint: moto.endpoint, namePrefix: 'sluice-dlq' });
    deployment = { region: 'us-east-1', awsEndpoint: moto.endpoint, ...resources };
    tool = new DlqTool(sqs, deployment, undefined, { waitSeconds: 0, holdSeconds: 30 });
    // Provisioning leaves an s3:TestEvent in the queues notified by S3: start them empty.
    for (const queue of ['processor-queue', 'indexer-queue', 'archiver-queue']) {
      await sqs.send(new PurgeQueueCommand({ QueueUrl: deployment.queues[queue]?.url }));
    }
  });

  afterAll(async () => {
    sqs?.destroy();
    await moto?.stop();
  });

  const url = (queue: string) => deployment.queues[queue]?.url as string;
  const send = (queue: string, body: string, attributes?: Record<string, string>) =>
    sqs.send(
      new SendMessageCommand({
        QueueUrl: url(queue),
        MessageBody: body,
        ...(attributes
          ? {
              MessageAttributes: Object.fromEntries(
                Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
              ),
            }
          : {}),
      }),
    );
  async function drain(queue: string) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url(queue),
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
      }),
    );
    return out.Messages ?? [];
  }

  it('lists every DLQ of the topology with its source queue and service', async () => {
    const rows = await tool.list();
    expect(rows.map((r) => [r.deadLetterQueue, r.queue, r.service, r.visible])).toEqual(
      expect.arrayContaining([
        ['processor-dlq', 'processor-queue', 'processor', 0],
        ['archiver-dlq', 'archiver-queue', 'archiver', 0],
        ['indexer-dlq', 'indexer-queue', 'indexer', 0],
      ]),
    );
  });

  it('inspects without consuming, then redrives the matching messages only, unchanged, then the rest', async () => {
    await send('archiver-dlq', manifestEvent(ASSET_A), { origin: 'test' });
    await send('archiver-dlq', manifestEvent(ASSET_B));
    await send('archiver-dlq', 'not json at all');

    const { messages } = await tool.inspect('archiver', 10);
    expect(messages.map((m) => [m.kind, m.objects, m.assetIds]).sort()).toEqual(
      [
        ['s3-event', [`sluice-dlq-processed/manifests/${ASSET_A}.json`], [ASSET_A]],
        ['s3-event', [`sluice-dlq-processed/manifests/${ASSET_B}.json`], [ASSET_B]],
        ['unparsed', [], []],
      ].sort(),
    );
    expect(await tool.counts(url('archiver-dlq'))).toEqual({ visible: 3, inFlight: 0 });

    const first = await tool.redrive('archiver-dlq', { filter: { assetId: ASSET_A } });
    expect(first).toMatchObject({ moved: 1, skipped: 2, remaining: 2 });
    const [redriven] = await drain('archiver-queue');
    expect(redriven?.Body).toBe(manifestEvent(ASSET_A));
    expect(redriven?.MessageAttributes?.origin?.StringValue).toBe('test');

    const rest = await tool.redrive('archiver-queue');
    expect(rest).toMatchObject({ moved: 2, skipped: 0, remaining: 0 });
    expect((await drain('archiver-queue')).map((m) => m.Body).sort()).toEqual(
      [manifestEvent(ASSET_B), 'not json at all'].sort(),
    );
  });

  it('purges only after the queue name is typed back, or with --yes', async () => {
    await send('processor-dlq', 'one');
    await send('processor-dlq', 'two');
    const run = async (argv: string[], typed: string) => {
      const stdin = Object.assign(new PassThrough(), { isTTY: true });
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      let out = '';
      stdout.on('data', (c) => {
        out += c;
      });
      stderr.resume();
      setImmediate(() => stdin.write(`${typed}\n`));
      const code = await runCli(argv, { stdin, stdout, stderr }, () => deployment);
      return { code, out };
    };
    await expect(run(['dlq', 'purge', 'processor'], 'yes')).resolves.toMatchObject({ code: 1 });
    expect(await tool.counts(url('processor-dlq'))).toEqual({ visible: 2, inFlight: 0 });
    await expect(run(['dlq', 'purge', 'processor'], 'processor-dlq')).resolves.toEqual({
      code: 0,
      out: 'processor-dlq: purged 2 message(s)\n',
    });
    expect(await tool.counts(url('processor-dlq'))).toEqual({ visible: 0, inFlight: 0 });
  });
});
