import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand, ListObjectVersionsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { type AssetManifest, topology as contractsTopology, type Topology } from '@sluice/contracts';
import { type LocalStack, startStack } from '@sluice/local';
import { DlqTool } from '@sluice/ops';
import { archiveKey, manifestKey, uploadKey } from '@sluice/runtime';
import { audit, deploymentFileFor, depth, drainAll, settle } from './audit-support';
import { FaultProxy } from './fault-proxy';
import { awsClients, eventually, fixture, PipelineEventTap } from './support';

/**
 * Faults through the whole local pipeline (processor, indexer, archiver behind the fault handler
 * of fixtures/fault-handler.ts, their AWS traffic through a fault-injecting proxy). After each, the
 * audit (`sluice audit`, grace 0) must come back with `problems: 0`: every file processed, indexed
 * and archived, or rejected with its reason, and no output twice.
 */

// Per run: the fault file, the logs and the search index are named after it, and another checkout
// (a CI copy) may run this very test on the same machine at the same time.
const NAME_PREFIX = `sluice-e2e-faults-${process.pid}`;
const TENANT = 'faults';
const FAULT_HANDLER = 'tests/e2e/test/fixtures/fault-handler.ts';
const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
/** Small, quick images of different kinds. */
const SMALL = ['jpeg/baseline-canon-40d.jpg', 'png/palette.png', 'gif/static.gif', 'jpeg/gps-southern.jpg'];

/**
 * The contracts topology with local-pace timeouts: a message whose handler died comes back after
 * its visibility timeout, so those are seconds here, not minutes; five receives before the DLQ.
 */
function testTopology(): Topology {
  const t = structuredClone(contractsTopology) as Topology;
  const set = (service: string, queue: string, timeoutSeconds: number, visibilitySeconds: number) => {
    const s = t.services[service];
    const q = t.queues[queue];
    if (!s || !q) throw new Error(`topology without ${service} or ${queue}`);
    s.timeoutSeconds = timeoutSeconds;
    q.visibilityTimeoutSeconds = visibilitySeconds;
    q.deadLetter.maxReceiveCount = 5;
  };
  set('processor', 'processor-queue', 15, 20);
  set('indexer', 'indexer-queue', 8, 12);
  set('archiver', 'archiver-queue', 8, 12);
  // One libvips pipeline may take 8 s: a record needs 13 s left in its invocation.
  const processor = t.services.processor;
  if (processor) processor.environment.PROCESSOR_TIMEOUT_SECONDS = { value: '8' };
  return t;
}

interface Rule {
  service: 'processor' | 'indexer' | 'archiver';
  marker: string;
  action: 'crash' | 'hang' | 'fail';
  receives?: number;
}

// Each fault waits out at least one visibility timeout; on a loaded 2-core machine that can be slow.
jest.setTimeout(200_000);

describe('faults through the local pipeline', () => {
  let stack: LocalStack;
  let proxy: FaultProxy;
  let aws: ReturnType<typeof awsClients>;
  let tap: PipelineEventTap;
  let target: ReturnType<typeof deploymentFileFor>;
  let faultFile: string;
  let buckets: { ingest: string; processed: string; archive: string };
  let queueUrls: string[];
  // The services' logs; kept after the run with SLUICE_E2E_KEEP_LOGS=1, for a look after a failure.
  const logsDir = path.join(os.tmpdir(), `${NAME_PREFIX}-logs`);

  beforeAll(async () => {
    rmSync(logsDir, { recursive: true, force: true });
    stack = await startStack({
      stateFile: false,
      namePrefix: NAME_PREFIX,
      services: ['processor', 'indexer', 'archiver'],
      topology: testTopology(),
      entries: { processor: FAULT_HANDLER, indexer: FAULT_HANDLER, archiver: FAULT_HANDLER },
      logsDir,
      webRoot: false,
      logLevel: process.env.SLUICE_E2E_LOG_LEVEL ?? 'INFO',
      serviceEndpoint: async (motoEndpoint) => {
        proxy = await FaultProxy.start(motoEndpoint);
        return proxy.url;
      },
    });
    aws = awsClients(stack.awsEndpoint);
    const b = stack.resources.buckets;
    buckets = { ingest: b.ingest as string, processed: b.processed as string, archive: b.archive as string };
    faultFile = path.join(os.tmpdir(), `${buckets.processed}.faults.json`);
    rmSync(faultFile, { force: true });
    target = deploymentFileFor(stack, NAME_PREFIX);
    queueUrls = ['processor-queue', 'indexer-queue', 'archiver-queue'].map(
      (q) => stack.resources.queues[q]?.url as string,
    );
    tap = await PipelineEventTap.attach(
      aws.sns,
      aws.sqs,
      stack.resources.topics['pipeline-events'] as string,
      'e2e-faults-tap',
    );
  }, 120_000);

  afterAll(async () => {
    rmSync(faultFile, { force: true });
    target?.remove();
    await stack?.stop();
    await proxy?.stop();
    if (!process.env.SLUICE_E2E_KEEP_LOGS) rmSync(logsDir, { recursive: true, force: true });
  });

  afterEach(() => {
    rmSync(faultFile, { force: true });
    proxy?.clearFaults();
  });

  const setFaults = (rules: Rule[]) => writeFileSync(faultFile, JSON.stringify({ rules }));
  const pidOf = (service: string) => stack.services.find((s) => s.name === service)?.pid;
  const log = (service: string) => readFileSync(path.join(logsDir, `${service}.log`), 'utf8');

  async function upload(
    fixturePath: string,
    fileName = path.basename(fixturePath),
    body = fixture(fixturePath),
  ) {
    const assetId = randomUUID();
    const location = { tenantId: TENANT, assetId, fileName };
    await aws.s3.send(new PutObjectCommand({ Bucket: buckets.ingest, Key: uploadKey(location), Body: body }));
    return { assetId, location };
  }

  /**
   * The pipeline settles and the audit finds nothing; every asset given is complete (processed,
   * indexed, archived once, in the search index once) and each of its stages announced once.
   */
  async function expectAllComplete(assetIds: string[]) {
    const run = await settle(aws.sqs, queueUrls, target.file, target.searchIndex, { timeoutMs: 150_000 });
    expect(run.lastLine).toBe('problems: 0');
    expect(run.report.findings.filter((f) => f.severity === 'problem')).toEqual([]);
    const states = Object.fromEntries(run.report.assets.map((a) => [a.assetId, a.state]));
    for (const id of assetIds) expect([id, states[id]]).toEqual([id, 'complete']);
    await drainAll(tap);
    for (const id of assetIds) {
      // Each stage announced, and announced once: repeats carry the same (deterministic) id.
      for (const type of ['asset.processed', 'asset.indexed', 'asset.archived'] as const) {
        const ids = new Set(
          tap
            .eventsFor(id)
            .filter((e) => e.type === type)
            .map((e) => e.id),
        );
        expect([id, type, ids.size]).toEqual([id, type, 1]);
      }
    }
    return run;
  }

  it('loses and duplicates nothing when the processor crashes mid-batch', async () => {
    const marker = `crash-${randomUUID().slice(0, 8)}`;
    setFaults([{ service: 'processor', marker, action: 'crash' }]);
    const before = pidOf('processor');
    // Uploaded together, so they share batches; the marked file is the last of them.
    const assets = await Promise.all(
      SMALL.map((f, i) => upload(f, i === SMALL.length - 1 ? `${marker}.jpg` : undefined)),
    );
    const after = await eventually(
      'the processor host to crash and be restarted',
      async () => {
        const pid = pidOf('processor');
        return pid !== undefined && pid !== before ? pid : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(after).not.toBe(before);
    expect(log('processor')).toContain('fault-handler: crashing mid-batch');
    await expectAllComplete(assets.map((a) => a.assetId));
  });

  it('lets an invocation run past its timeout, retries its batch, and indexes once', async () => {
    const slow = await upload('png/palette.png', 'slow.png');
    setFaults([{ service: 'indexer', marker: slow.assetId, action: 'hang' }]);
    const other = await upload('jpeg/progressive.jpg');
    await eventually('the indexer to hang past its timeout', async () =>
      log('indexer').includes('fault-handler: hanging past the timeout') ? true : undefined,
    );
    await expectAllComplete([slow.assetId, other.assetId]);
  });

  it('rides out an emulator outage (the endpoint refusing connections) and a host killed by PID', async () => {
    const assets = await Promise.all(SMALL.slice(0, 3).map((f) => upload(f)));
    await tap.waitFor('asset.processed', assets[0]?.assetId as string);
    const indexer = pidOf('indexer') as number;
    process.kill(indexer, 'SIGKILL');
    await proxy.outage(4000);
    expect(proxy.outages).toBe(1);
    await eventually('the indexer host to be restarted', async () =>
      pidOf('indexer') !== indexer ? true : undefined,
    );
    await expectAllComplete(assets.map((a) => a.assetId));
  });

  it('absorbs S3 throttling (503 SlowDown) on reads and writes', async () => {
    const slowDown = proxy.inject({ service: 's3', action: 'slow-down', every: 2, count: 40 });
    const assets = await Promise.all(SMALL.slice(0, 3).map((f) => upload(f)));
    await expectAllComplete(assets.map((a) => a.assetId));
    expect(slowDown.injected).toBeGreaterThan(5);
    const operations = [...proxy.injected.keys()].filter((k) => k.startsWith('s3:')).join(' ');
    expect(operations).toMatch(/s3:(GetObject|HeadObject)/);
    expect(operations).toMatch(/s3:(PutObject|CopyObject)/);
  });

  it('absorbs SNS throttling and SQS errors (receive, delete, visibility changes)', async () => {
    const publish = proxy.inject({ service: 'sns', operations: ['Publish'], action: 'throttle', count: 5 });
    const deletes = proxy.inject({
      service: 'sqs',
      operations: ['DeleteMessageBatch'],
      action: 'internal-error',
      count: 4,
    });
    const receives = proxy.inject({
      service: 'sqs',
      operations: ['ReceiveMessage'],
      action: 'internal-error',
      every: 3,
      count: 6,
    });
    const assets = await Promise.all(SMALL.slice(1, 4).map((f) => upload(f)));
    await expectAllComplete(assets.map((a) => a.assetId));
    expect(publish.injected).toBe(5);
    expect(deletes.injected).toBe(4);
    expect(receives.injected).toBe(6);
  });

  it('dead-letters poison and a permanently failing record, and a redrive completes the asset', async () => {
    const dlqUrl = (q: string) => stack.resources.queues[q]?.url as string;
    await aws.sqs.send(
      new SendMessageCommand({ QueueUrl: dlqUrl('processor-queue'), MessageBody: 'not json' }),
    );
    await aws.sqs.send(
      new SendMessageCommand({ QueueUrl: dlqUrl('indexer-queue'), MessageBody: '{"Records":"not a list"}' }),
    );
    const stuck = await upload('gif/static.gif', 'stuck.gif');
    setFaults([{ service: 'archiver', marker: stuck.assetId, action: 'fail', receives: 0 }]);
    const fine = await upload('png/palette.png');

    let lastCounts: number[] = [];
    await eventually(
      'three messages in the DLQs',
      async () => {
        const counts = await Promise.all(
          ['processor-dlq', 'indexer-dlq', 'archiver-dlq'].map((q) => depth(aws.sqs, dlqUrl(q))),
        );
        lastCounts = counts;
        return counts.every((n) => n === 1) ? counts : undefined;
      },
      { timeoutMs: 90_000 },
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}; DLQ depths (processor, indexer, archiver): ${lastCounts.join(', ')}; stalled at the proxy: ${proxy.stalled().join('; ') || 'none'}`,
      );
    });
    const before = await eventually('the audit to see only the dead letters', async () => {
      const run = await audit(target.file, target.searchIndex);
      return run.report.problems === 3 ? run : undefined;
    });
    expect(before.code).toBe(1);
    expect(before.lastLine).toBe('problems: 3');
    expect(
      before.report.findings
        .filter((f) => f.severity === 'problem')
        .map((f) => [f.kind, f.assetId ?? null])
        .sort(),
    ).toEqual(
      [
        ['dead-letter-unattributed', null],
        ['dead-letter-unattributed', null],
        ['dead-lettered', stuck.assetId],
      ].sort(),
    );
    expect(before.text).toContain(`sluice-ops dlq redrive archiver --asset ${stuck.assetId}`);

    // The bug is fixed: redrive the asset's message, purge the poison.
    rmSync(faultFile, { force: true });
    const tool = new DlqTool(aws.sqs, target.deployment, undefined, { waitSeconds: 0, holdSeconds: 30 });
    expect((await tool.redrive('archiver', { filter: { assetId: stuck.assetId } })).moved).toBe(1);
    await tool.purge('processor-dlq');
    await tool.purge('indexer-dlq');
    await expectAllComplete([stuck.assetId, fine.assetId]);
  });

  /** A queue subscribed to a topic, enveloped like the service queues, to capture real messages. */
  async function capture(topic: string) {
    const { QueueUrl } = await aws.sqs.send(
      new CreateQueueCommand({ QueueName: `e2e-faults-capture-${topic}-${randomUUID().slice(0, 6)}` }),
    );
    const attrs = await aws.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    await aws.sns.send(
      new SubscribeCommand({
        TopicArn: stack.resources.topics[topic],
        Protocol: 'sqs',
        Endpoint: attrs.Attributes?.QueueArn,
      }),
    );
    const bodies: string[] = [];
    return {
      async find(text: string): Promise<string> {
        return eventually(`a ${topic} message naming ${text}`, async () => {
          const out = await aws.sqs.send(
            new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
          );
          for (const m of out.Messages ?? []) bodies.push(m.Body ?? '');
          if (out.Messages?.length)
            await aws.sqs.send(
              new DeleteMessageBatchCommand({
                QueueUrl,
                Entries: out.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
              }),
            );
          return bodies.find((b) => b.includes(text));
        });
      },
    };
  }

  it('delivers the same message several times at once to every service: one output each', async () => {
    const ingestEvents = await capture('ingest-notifications');
    const manifestEvents = await capture('processed-notifications');
    const photo = await upload('jpeg/progressive.jpg');
    await expectAllComplete([photo.assetId]);
    const uploaded = await ingestEvents.find(photo.assetId);
    const manifest = await manifestEvents.find(photo.assetId);

    const thrice = (queue: string, body: string) =>
      aws.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: stack.resources.queues[queue]?.url,
          Entries: [0, 1, 2].map((i) => ({ Id: String(i), MessageBody: body })),
        }),
      );
    await Promise.all([
      thrice('processor-queue', uploaded),
      thrice('indexer-queue', manifest),
      thrice('archiver-queue', manifest),
    ]);
    await expectAllComplete([photo.assetId]);
    const versions = await aws.s3.send(
      new ListObjectVersionsCommand({ Bucket: buckets.archive, Prefix: archiveKey(photo.location) }),
    );
    expect(versions.Versions?.length).toBe(1);
    // One piece of work per service; every other delivery was recognised as done.
    for (const service of ['processor', 'indexer', 'archiver']) {
      const lines = log(service)
        .split('\n')
        .filter((l) => l.includes(`"assetId":"${photo.assetId}"`));
      const outcomes = lines.map((l) => /"outcome":"(\w+)"/.exec(l)?.[1]);
      expect([service, outcomes.filter((o) => o === 'succeeded').length]).toEqual([service, 1]);
      expect(outcomes.filter((o) => o === 'skipped').length).toBeGreaterThanOrEqual(3);
    }
  });

  it('keeps the newest write of a key when its events arrive out of order', async () => {
    const first = fixture('png/palette.png');
    const second = fixture('gif/static.gif');
    // The first write's event is held back (failed on its first two receives) until after the
    // second write's: the processor must not let the older write win.
    setFaults([{ service: 'processor', marker: md5(first), action: 'fail', receives: 2 }]);
    const photo = await upload('png/palette.png', 'same-key.img', first);
    await aws.s3.send(
      new PutObjectCommand({ Bucket: buckets.ingest, Key: uploadKey(photo.location), Body: second }),
    );
    await expectAllComplete([photo.assetId]);
    expect(log('processor')).toContain('fault-handler: failing records');
    const manifest = JSON.parse(
      (await (
        await aws.s3.send(
          new GetObjectCommand({ Bucket: buckets.processed, Key: manifestKey(photo.assetId) }),
        )
      ).Body?.transformToString()) ?? '{}',
    ) as AssetManifest;
    expect(manifest.sha256).toBe(sha256(second));
    expect(manifest.detected.mime).toBe('image/gif');
    const archived = await aws.s3.send(
      new GetObjectCommand({ Bucket: buckets.archive, Key: archiveKey(photo.location) }),
    );
    expect(sha256(Buffer.from((await archived.Body?.transformToByteArray()) ?? []))).toBe(sha256(second));
  });
});
