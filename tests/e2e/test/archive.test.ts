import { createHash, randomUUID } from 'node:crypto';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import {
  CopyObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import {
  type AssetManifest,
  assertValid,
  topology as contractsTopology,
  type Topology,
} from '@sluice/contracts';
import { type LocalStack, startStack } from '@sluice/local';
import {
  awsClientsFor,
  type Deployment,
  DlqTool,
  originalStatus,
  reprocessLocally,
  requestRestore,
  runCli,
} from '@sluice/ops';
import { archiveKey, manifestKey, uploadKey } from '@sluice/runtime';
import { awsClients, eventually, fixture, objectExists, PipelineEventTap } from './support';

const MIB = 1024 ** 2;
const TENANT = 'acme';
const NAME_PREFIX = 'sluice-e2e-arch';

/**
 * The contracts topology, with what this test needs changed: the archiver's queue redelivers after
 * 8 s (a killed archiver's message comes back quickly) and its multipart threshold and part size are
 * lowered to 5 MiB, so a 6 MiB original takes the UploadPartCopy path.
 */
function testTopology(): Topology {
  const t = structuredClone(contractsTopology) as Topology;
  const archiverQueue = t.queues['archiver-queue'];
  const archiver = t.services.archiver;
  if (!archiverQueue || !archiver) throw new Error('topology without the archiver');
  archiverQueue.visibilityTimeoutSeconds = 8;
  archiver.timeoutSeconds = 20;
  archiver.environment.ARCHIVE_MULTIPART_THRESHOLD_BYTES = { value: String(5 * MIB) };
  archiver.environment.ARCHIVE_PART_SIZE_BYTES = { value: String(5 * MIB) };
  return t;
}

const sha256 = (bytes: Buffer, encoding: 'hex' | 'base64') =>
  createHash('sha256').update(bytes).digest(encoding);

/** Deterministic incompressible bytes. */
function pseudoRandom(size: number, seed: string): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update(seed).digest();
  for (let offset = 0; offset < size; offset += block.length) {
    block.copy(out, offset);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

describe('archive, restore, reprocess and DLQ redrive on the local stack', () => {
  let stack: LocalStack;
  let aws: ReturnType<typeof awsClients>;
  let tap: PipelineEventTap;
  let deployment: Deployment;
  let buckets: { ingest: string; processed: string; archive: string };
  let faultFile: string;
  /** Assets this file uploaded, in order, with their originals. */
  const assets: { assetId: string; fileName: string; body: Buffer; image: boolean }[] = [];

  beforeAll(async () => {
    stack = await startStack({
      stateFile: false,
      namePrefix: NAME_PREFIX,
      services: ['processor', 'archiver'],
      topology: testTopology(),
      entries: { archiver: 'tests/e2e/test/fixtures/fault-archiver.ts' },
    });
    aws = awsClients(stack.awsEndpoint);
    const b = stack.resources.buckets;
    buckets = { ingest: b.ingest as string, processed: b.processed as string, archive: b.archive as string };
    faultFile = path.join(os.tmpdir(), `${buckets.archive}.fault`);
    rmSync(faultFile, { force: true });
    deployment = {
      region: 'us-east-1',
      awsEndpoint: stack.awsEndpoint,
      buckets: stack.resources.buckets,
      topics: stack.resources.topics,
      queues: stack.resources.queues,
    };
    tap = await PipelineEventTap.attach(
      aws.sns,
      aws.sqs,
      stack.resources.topics['pipeline-events'] as string,
      'e2e-archive-tap',
    );
  }, 120_000);

  afterAll(async () => {
    if (faultFile) rmSync(faultFile, { force: true });
    await stack?.stop();
  });

  /** Drops an original into the ingest bucket under the documented layout, as any S3 client may. */
  async function upload(
    fileName: string,
    body: Buffer,
    contentType: string,
    image: boolean,
    assetId = randomUUID(),
  ) {
    const location = { tenantId: TENANT, assetId, fileName };
    await aws.s3.send(
      new PutObjectCommand({
        Bucket: buckets.ingest,
        Key: uploadKey(location),
        Body: body,
        ContentType: contentType,
        Metadata: { 'uploaded-by': 'e2e', 'original-name': encodeURIComponent(fileName) },
      }),
    );
    assets.push({ assetId, fileName, body, image });
    return { assetId, location };
  }

  async function manifestOf(assetId: string): Promise<AssetManifest> {
    const out = await aws.s3.send(
      new GetObjectCommand({ Bucket: buckets.processed, Key: manifestKey(assetId) }),
    );
    return assertValid('asset-manifest/v1', JSON.parse((await out.Body?.transformToString()) ?? ''));
  }

  async function versionsOf(key: string) {
    const out = await aws.s3.send(new ListObjectVersionsCommand({ Bucket: buckets.archive, Prefix: key }));
    return (out.Versions ?? []).filter((v) => v.Key === key);
  }

  it('moves an original to the archive in GLACIER_IR with its metadata, verified by SHA-256, and only then deletes it', async () => {
    const photo = fixture('jpeg/baseline-canon-40d.jpg');
    const { assetId, location } = await upload('cat photo.jpg', photo, 'image/jpeg', true);
    const archived = await tap.waitFor('asset.archived', assetId);
    const head = await aws.s3.send(
      new HeadObjectCommand({ Bucket: buckets.archive, Key: archiveKey(location), ChecksumMode: 'ENABLED' }),
    );
    expect(head).toMatchObject({
      StorageClass: 'GLACIER_IR',
      ChecksumSHA256: sha256(photo, 'base64'),
      ContentType: 'image/jpeg',
      ContentLength: photo.length,
      Metadata: { 'uploaded-by': 'e2e', 'original-name': 'cat%20photo.jpg' },
    });
    expect(archived.detail).toEqual({
      bucket: buckets.archive,
      key: archiveKey(location),
      storageClass: 'GLACIER_IR',
      versionId: head.VersionId,
      sha256: sha256(photo, 'hex'),
    });
    expect(await objectExists(aws.s3, buckets.ingest, uploadKey(location))).toBe(false);
  });

  it('copies a large original part by part (threshold lowered to 5 MiB) with its metadata and a composite checksum', async () => {
    const body = pseudoRandom(6 * MIB + 321, 'large original');
    const { assetId, location } = await upload('scan.bin', body, 'application/octet-stream', false);
    await tap.waitFor('asset.archived', assetId);
    const head = await aws.s3.send(
      new HeadObjectCommand({ Bucket: buckets.archive, Key: archiveKey(location), ChecksumMode: 'ENABLED' }),
    );
    expect(head).toMatchObject({
      StorageClass: 'GLACIER_IR',
      ChecksumType: 'COMPOSITE',
      ETag: expect.stringMatching(/-2"$/),
      ContentLength: body.length,
      ContentType: 'application/octet-stream',
      Metadata: { 'uploaded-by': 'e2e', 'original-name': 'scan.bin' },
    });
    const copy = await aws.s3.send(
      new GetObjectCommand({ Bucket: buckets.archive, Key: archiveKey(location) }),
    );
    expect(sha256(Buffer.from((await copy.Body?.transformToByteArray()) ?? []), 'hex')).toBe(
      sha256(body, 'hex'),
    );
    expect(await objectExists(aws.s3, buckets.ingest, uploadKey(location))).toBe(false);
  });

  it('loses and duplicates nothing when the archiver is killed between copy and delete', async () => {
    const crashing = randomUUID();
    writeFileSync(faultFile, `crash-after-copy ${crashing}`);
    const photo = fixture('jpeg/progressive.jpg');
    const { assetId, location } = await upload('crash.jpg', photo, 'image/jpeg', true, crashing);
    // The copy lands, then the process dies before the delete: both exist until the redelivery.
    await eventually('the copy before the crash', async () =>
      (await versionsOf(archiveKey(location))).length > 0 ? true : undefined,
    );
    expect(await objectExists(aws.s3, buckets.ingest, uploadKey(location))).toBe(true);
    // The fixture removes the fault file just before it kills its own process: the crash happened.
    await eventually('the archiver to crash', async () => (existsSync(faultFile) ? undefined : true));
    await tap.waitFor('asset.archived', assetId, 60_000);
    expect(await objectExists(aws.s3, buckets.ingest, uploadKey(location))).toBe(false);
    const versions = await versionsOf(archiveKey(location));
    expect(versions).toHaveLength(1);
    // One announcement (a re-announcement after a redelivery would carry the same id).
    expect(
      new Set(
        tap
          .eventsFor(assetId)
          .filter((e) => e.type === 'asset.archived')
          .map((e) => e.id),
      ).size,
    ).toBe(1);
    const copy = await aws.s3.send(
      new GetObjectCommand({ Bucket: buckets.archive, Key: archiveKey(location) }),
    );
    expect(Buffer.from((await copy.Body?.transformToByteArray()) ?? [])).toEqual(photo);
  });

  it('keeps an original whose copy does not verify, dead-letters it, and a redrive drains the DLQ through the pipeline', async () => {
    const corrupted = randomUUID();
    writeFileSync(faultFile, `corrupt-copy ${corrupted}`);
    const photo = fixture('png/alpha-rgba.png');
    const { assetId, location } = await upload('logo.png', photo, 'image/png', true, corrupted);
    const tool = new DlqTool(aws.sqs, deployment, undefined, { waitSeconds: 0 });
    await eventually(
      'the archiver to dead-letter the asset',
      async () =>
        (await tool.counts(deployment.queues['archiver-dlq']?.url as string)).visible > 0 ? true : undefined,
      { timeoutMs: 60_000 },
    );
    expect(await objectExists(aws.s3, buckets.ingest, uploadKey(location))).toBe(true);
    expect(tap.eventsFor(assetId).some((e) => e.type === 'asset.archived')).toBe(false);
    const { messages } = await tool.inspect('archiver');
    expect(messages.map((m) => [m.kind, m.assetIds])).toEqual([['s3-event', [assetId]]]);
    expect(messages[0]?.receiveCount).toBeGreaterThanOrEqual(3);

    rmSync(faultFile, { force: true });
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (chunk) => {
      out += chunk;
    });
    const code = await runCli(
      ['dlq', 'redrive', 'archiver', '--asset', assetId],
      { stdout, stderr: new PassThrough(), stdin: new PassThrough() },
      () => deployment,
    );
    expect(code).toBe(0);
    expect(out).toBe('archiver-dlq -> archiver-queue: 1 moved, 0 left (not matching), 0 remaining\n');
    await tap.waitFor('asset.archived', assetId);
    expect(await objectExists(aws.s3, buckets.ingest, uploadKey(location))).toBe(false);
    expect(await tool.counts(deployment.queues['archiver-dlq']?.url as string)).toEqual({
      visible: 0,
      inFlight: 0,
    });
  });

  it('restores an original a lifecycle rule moved to DEEP_ARCHIVE, then serves it through a presigned GET', async () => {
    const { assetId, fileName, body } = assets[0] as (typeof assets)[number];
    const key = archiveKey({ tenantId: TENANT, assetId, fileName });
    // moto stores lifecycle rules but never runs them: make the transition the archive's rules would.
    await aws.s3.send(
      new CopyObjectCommand({
        Bucket: buckets.archive,
        Key: key,
        CopySource: `${buckets.archive}/${encodeURIComponent(key).replace(/%2F/g, '/')}`,
        StorageClass: 'DEEP_ARCHIVE',
        MetadataDirective: 'COPY',
      }),
    );
    await expect(
      aws.s3.send(new GetObjectCommand({ Bucket: buckets.archive, Key: key })),
    ).rejects.toMatchObject({
      name: 'InvalidObjectState',
    });
    const clients = awsClientsFor(deployment);
    try {
      await expect(originalStatus(clients.s3, deployment, assetId)).resolves.toEqual({
        location: 'archive',
        availability: 'archived',
        storageClass: 'DEEP_ARCHIVE',
        size: body.length,
      });
      // moto completes a restore at once by default. 'manual' moves it on every `times` lookups of the
      // object (any HEAD or GET), from a first state whose x-amz-restore already reads as done: with
      // times 2 the lookups made before the request get it past that state at once.
      await fetch(`${stack.awsEndpoint}/moto-api/state-manager/set-transition`, {
        method: 'POST',
        body: JSON.stringify({
          model_name: 's3::keyrestore',
          transition: { progression: 'manual', times: 2 },
        }),
      });
      const requested = await requestRestore(clients.s3, deployment, assetId, { tier: 'Bulk', days: 1 });
      expect(requested.restoreRequested).toBe('accepted');
      expect(['restoring', 'restored']).toContain(requested.availability);
      const again = await requestRestore(clients.s3, deployment, assetId, { tier: 'Bulk', days: 1 });
      expect(again.restoreRequested).toBe(
        again.availability === 'restoring' ? 'in-progress' : 'already-restored',
      );
      const restored = await eventually('the restore to complete', async () => {
        const status = await originalStatus(clients.s3, deployment, assetId);
        return status.availability === 'restored' ? status : undefined;
      });
      expect(restored.restoreExpiresAt).toMatch(/Z$/);
      const download = await fetch(restored.download?.url ?? '');
      expect(download.status).toBe(200);
      expect(sha256(Buffer.from(await download.arrayBuffer()), 'hex')).toBe(sha256(body, 'hex'));
    } finally {
      clients.destroy();
      await fetch(`${stack.awsEndpoint}/moto-api/state-manager/unset-transition`, {
        method: 'POST',
        body: JSON.stringify({ model_name: 's3::keyrestore' }),
      });
    }
  });

  it('regenerates every rendition of every asset after a preset change, with a local batch reprocess', async () => {
    const presets = {
      presets: [
        { name: 'tiny', width: 48, formats: [{ format: 'webp' }] },
        {
          name: 'square',
          width: 64,
          height: 64,
          fit: 'cover',
          formats: [{ format: 'jpeg' }, { format: 'webp' }],
        },
      ],
    };
    assertValid('rendition-presets/v1', presets);
    const before = new Map<string, string[]>();
    for (const asset of assets)
      before.set(
        asset.assetId,
        (await manifestOf(asset.assetId)).renditions.map((r) => r.key),
      );
    expect([...before.values()].some((keys) => keys.some((k) => k.includes('/thumb.')))).toBe(true);

    const progress: number[] = [];
    const clients = awsClientsFor(deployment);
    let result: Awaited<ReturnType<typeof reprocessLocally>>;
    try {
      result = await reprocessLocally(clients, deployment, {
        source: 'manifests',
        env: { PROCESSOR_PRESETS: JSON.stringify(presets) },
        onProgress: (p) => progress.push(p.done),
        output: new PassThrough().resume(),
      });
    } finally {
      clients.destroy();
    }
    expect(result.progress).toMatchObject({ total: assets.length, done: assets.length, failed: 0 });
    expect(progress.at(-1)).toBe(assets.length);
    expect(result.reports.map((r) => JSON.parse(r.resultString).outcome)).toEqual(
      assets.map(() => 'reprocessed'),
    );

    for (const asset of assets) {
      const manifest = await manifestOf(asset.assetId);
      const expected = asset.image
        ? [
            `renditions/${asset.assetId}/square.jpeg`,
            `renditions/${asset.assetId}/square.webp`,
            `renditions/${asset.assetId}/tiny.webp`,
          ]
        : [];
      expect(manifest.renditions.map((r) => r.key).sort()).toEqual(expected);
      const listed = await aws.s3.send(
        new ListObjectsV2Command({ Bucket: buckets.processed, Prefix: `renditions/${asset.assetId}/` }),
      );
      // Renditions of the old presets are gone; every new one is there.
      expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual(expected);
      for (const rendition of manifest.renditions.filter((r) => r.preset === 'square')) {
        expect([rendition.width, rendition.height]).toEqual([64, 64]);
      }
    }
    // The job's manifest and completion report sit in the report bucket, as on AWS.
    const report = await aws.s3.send(
      new GetObjectCommand({ Bucket: buckets.processed, Key: result.reportKey }),
    );
    expect((await report.Body?.transformToString())?.trim().split('\n')).toHaveLength(assets.length);
  });
});
