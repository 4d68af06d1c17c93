import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { PurgeQueueCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { assertValid } from '@sluice/contracts';
import { createS3Client, createSqsClient, type MotoServer, provision, startMoto } from '@sluice/local';
import {
  archiveKey,
  copySource,
  indexDocumentKey,
  manifestKey,
  renditionKey,
  uploadKey,
} from '@sluice/runtime';
import { runAudit } from '../src/audit/command';
import type { Deployment } from '../src/deployment';

function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => {
    out += c;
  });
  stderr.on('data', (c) => {
    err += c;
  });
  return { io: { stdout, stderr, env: {}, cwd: os.tmpdir() }, out: () => out, err: () => err };
}

const lastLine = (text: string) => text.trimEnd().split('\n').pop();

describe('the audit against moto (S3 listings, checksums, versions, DLQs) and its command', () => {
  let moto: MotoServer;
  let s3: S3Client;
  let sqs: SQSClient;
  let deployment: Deployment;
  let dir: string;
  let file: string;
  let b: { ingest: string; processed: string; archive: string };

  beforeAll(async () => {
    moto = await startMoto();
    s3 = createS3Client({ endpoint: moto.endpoint });
    sqs = createSqsClient({ endpoint: moto.endpoint });
    const resources = await provision({ endpoint: moto.endpoint, namePrefix: 'sluice-audit' });
    deployment = { region: 'us-east-1', awsEndpoint: moto.endpoint, ...resources };
    b = {
      ingest: resources.buckets.ingest as string,
      processed: resources.buckets.processed as string,
      archive: resources.buckets.archive as string,
    };
    dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-audit-'));
    file = path.join(dir, 'deployment.json');
    writeFileSync(file, JSON.stringify(deployment));
  });

  afterAll(async () => {
    s3?.destroy();
    sqs?.destroy();
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** What the processor, indexer and archiver leave for one file, written the way they write it. */
  async function completeAsset(fileName: string, body: Buffer) {
    const assetId = randomUUID();
    const location = { tenantId: 'acme', assetId, fileName };
    const key = uploadKey(location);
    await s3.send(
      new PutObjectCommand({ Bucket: b.ingest, Key: key, Body: body, ContentType: 'image/jpeg' }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: b.ingest, Key: key }));
    const sequencer = '0065A1B2C3D4E5F601';
    const thumb = renditionKey(assetId, 'thumb', 'webp');
    await s3.send(new PutObjectCommand({ Bucket: b.processed, Key: thumb, Body: 'webp' }));
    const manifest = assertValid('asset-manifest/v1', {
      assetId,
      tenantId: 'acme',
      source: {
        bucket: b.ingest,
        key,
        size: body.length,
        eTag: head.ETag?.replace(/"/g, ''),
        sequencer,
        fileName,
      },
      sha256: createHash('sha256').update(body).digest('hex'),
      detected: { mime: 'image/jpeg', kind: 'image', ext: 'jpg', mismatch: false },
      renditions: [
        {
          preset: 'thumb',
          format: 'webp',
          key: thumb,
          width: 1,
          height: 1,
          bytes: 4,
          contentType: 'image/webp',
        },
      ],
      processedAt: '2026-03-01T11:00:00.000Z',
      processorVersion: 'test',
    });
    await s3.send(
      new PutObjectCommand({
        Bucket: b.processed,
        Key: manifestKey(assetId),
        Body: JSON.stringify(manifest),
      }),
    );
    const doc = assertValid('index-document/v1', {
      assetId,
      tenantId: 'acme',
      fileName,
      mime: 'image/jpeg',
      kind: 'image',
      tags: [],
      createdAt: '2026-03-01T11:00:01Z',
      updatedAt: '2026-03-01T11:00:01Z',
      processedAt: manifest.processedAt,
      sourceSequencer: sequencer,
    });
    await s3.send(
      new PutObjectCommand({
        Bucket: b.processed,
        Key: indexDocumentKey('acme', assetId),
        Body: JSON.stringify(doc),
      }),
    );
    const copy = () =>
      s3.send(
        new CopyObjectCommand({
          Bucket: b.archive,
          Key: archiveKey(location),
          CopySource: copySource(b.ingest, key),
          StorageClass: 'GLACIER_IR',
          ChecksumAlgorithm: 'SHA256',
        }),
      );
    await copy();
    await s3.send(new DeleteObjectCommand({ Bucket: b.ingest, Key: key }));
    /** A second archiver run that copied the same bytes again (what must never happen). */
    const copyAgain = async () => {
      await s3.send(
        new PutObjectCommand({ Bucket: b.ingest, Key: key, Body: body, ContentType: 'image/jpeg' }),
      );
      await copy();
      await s3.send(new DeleteObjectCommand({ Bucket: b.ingest, Key: key }));
    };
    return { assetId, location, key, copyAgain };
  }

  it('passes a complete asset under a unicode key with spaces, then reports what breaks it', async () => {
    for (const queue of ['processor-queue', 'indexer-queue', 'archiver-queue'])
      await sqs.send(new PurgeQueueCommand({ QueueUrl: deployment.queues[queue]?.url }));
    const photo = await completeAsset(
      'café übersicht +1 (2).jpg',
      Buffer.from('jpeg bytes, as many as there are'),
    );

    const clean = capture();
    expect(await runAudit(['--deployment', file, '--grace', '0'], clean.io)).toBe(0);
    expect(clean.out()).toContain('objects: 0 in uploads/, 0 in quarantine/, 1 manifests, 1 renditions');
    expect(clean.out()).toContain('assets: 1 (1 complete, 0 rejected');
    expect(lastLine(clean.out())).toBe('problems: 0');

    // A stuck upload, a poison message in a DLQ, and the same original archived twice.
    const stuck = uploadKey({ tenantId: 'acme', assetId: randomUUID(), fileName: 'stuck.png' });
    await s3.send(new PutObjectCommand({ Bucket: b.ingest, Key: stuck, Body: 'png' }));
    await sqs.send(
      new SendMessageCommand({ QueueUrl: deployment.queues['archiver-dlq']?.url, MessageBody: 'not json' }),
    );
    await photo.copyAgain();

    const broken = capture();
    expect(await runAudit(['--deployment', file, '--grace', '0'], broken.io)).toBe(1);
    expect(broken.out()).toContain('PROBLEM stuck-upload');
    expect(broken.out()).toContain('PROBLEM dead-letter-unattributed');
    expect(broken.out()).toContain(`PROBLEM duplicate-archive-copy asset ${photo.assetId}`);
    expect(lastLine(broken.out())).toBe('problems: 3');

    // With a grace period the fresh upload is in flight, not a problem; --json carries the findings.
    const json = capture();
    expect(await runAudit(['--deployment', file, '--grace', '600', '--json'], json.io)).toBe(1);
    const report = JSON.parse(json.out()) as {
      problems: number;
      findings: { kind: string; severity: string }[];
    };
    expect(report.findings.map((f) => `${f.kind}:${f.severity}`).sort()).toEqual([
      'dead-letter-unattributed:problem',
      'duplicate-archive-copy:problem',
      'stuck-upload:in-flight',
    ]);
    expect(lastLine(json.err())).toBe('problems: 2');
    await sqs.send(new PurgeQueueCommand({ QueueUrl: deployment.queues['archiver-dlq']?.url }));
  });

  it('takes buckets and the endpoint from flags and environment variables without a deployment file', async () => {
    const run = capture();
    run.io.env = { AWS_ENDPOINT_URL: moto.endpoint, SLUICE_ARCHIVE_BUCKET: b.archive };
    const code = await runAudit(
      ['--ingest-bucket', b.ingest, '--processed-bucket', b.processed, '--no-verify', '--grace', '600'],
      run.io,
    );
    expect(run.out()).toContain('queues: not checked');
    expect(lastLine(run.out())).toMatch(/^problems: \d+$/);
    expect(code).toBe(run.out().includes('problems: 0') ? 0 : 1);

    const missing = capture();
    expect(await runAudit(['--ingest-bucket', b.ingest], missing.io)).toBe(2);
    expect(missing.err()).toMatch(/No processed, archive bucket/);
  });
});
