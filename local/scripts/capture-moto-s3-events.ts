/**
 * Captures real S3 event notifications from moto (bucket → SNS → SQS, enveloped and raw) into
 * test/fixtures/moto-s3-events.json: the inputs the S3 event normalizer is tested on.
 *
 *   node --import tsx local/scripts/capture-moto-s3-events.ts
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { createS3Client, createSqsClient } from '../src/aws';
import { findMotoServer, startMoto } from '../src/moto';
import { provision } from '../src/provision';
import type { TopologyLike } from '../src/topology';

const topology: TopologyLike = {
  buckets: {
    ingest: { notifications: [{ events: ['s3:ObjectCreated:*'], prefix: 'uploads/', topic: 'events' }] },
    archive: { versioned: true, notifications: [{ events: ['s3:ObjectCreated:*'], topic: 'events' }] },
  },
  topics: { events: {} },
  queues: {
    enveloped: { subscriptions: [{ topic: 'events', rawMessageDelivery: false }] },
    raw: { subscriptions: [{ topic: 'events', rawMessageDelivery: true }] },
  },
  services: {},
};

interface Upload {
  scenario: string;
  bucket: 'ingest' | 'archive';
  key: string;
  operation: 'PutObject' | 'MultipartUpload' | 'CopyObject';
}

const uploads: Upload[] = [
  { scenario: 'plain key', bucket: 'ingest', key: 'uploads/asset-1/photo.jpg', operation: 'PutObject' },
  {
    scenario: 'spaces',
    bucket: 'ingest',
    key: 'uploads/asset-2/my holiday photo.jpg',
    operation: 'PutObject',
  },
  {
    scenario: 'unicode',
    bucket: 'ingest',
    key: 'uploads/asset-3/café ñandú 日本語.png',
    operation: 'PutObject',
  },
  {
    scenario: 'plus and reserved',
    bucket: 'ingest',
    key: 'uploads/asset-4/a+b=c&d;e:f,g@h$i.txt',
    operation: 'PutObject',
  },
  {
    scenario: 'marks',
    bucket: 'ingest',
    key: "uploads/asset-5/file (1) [copy] !'*~.txt",
    operation: 'PutObject',
  },
  { scenario: 'percent', bucket: 'ingest', key: 'uploads/asset-6/100% done.txt', operation: 'PutObject' },
  {
    scenario: 'nested',
    bucket: 'ingest',
    key: 'uploads/asset-7/deep/nested/folder/file.txt',
    operation: 'PutObject',
  },
  { scenario: 'overwrite 1', bucket: 'ingest', key: 'uploads/asset-8/same.txt', operation: 'PutObject' },
  { scenario: 'overwrite 2', bucket: 'ingest', key: 'uploads/asset-8/same.txt', operation: 'PutObject' },
  {
    scenario: 'multipart',
    bucket: 'ingest',
    key: 'uploads/asset-9/big file.bin',
    operation: 'MultipartUpload',
  },
  { scenario: 'copy', bucket: 'ingest', key: 'uploads/asset-10/copy of photo.jpg', operation: 'CopyObject' },
  {
    scenario: 'versioned bucket',
    bucket: 'archive',
    key: 'originals/asset-1/photo.jpg',
    operation: 'PutObject',
  },
];

function motoVersion(): string {
  const motoServer = findMotoServer();
  const shebang = readFileSync(motoServer, 'utf8').split('\n')[0] ?? '';
  const python = shebang.startsWith('#!') && !shebang.includes('bash') ? shebang.slice(2).trim() : 'python3';
  try {
    return execFileSync(python, ['-c', 'import moto; print(moto.__version__)'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const moto = await startMoto();
  const aws = { endpoint: moto.endpoint };
  const s3 = createS3Client(aws);
  const sqs = createSqsClient(aws);
  try {
    const resources = await provision({ ...aws, topology, namePrefix: 'capture' });
    for (const upload of uploads) {
      const Bucket = resources.buckets[upload.bucket];
      const Key = upload.key;
      if (upload.operation === 'PutObject') {
        await s3.send(
          new PutObjectCommand({ Bucket, Key, Body: `${upload.scenario}\n`, ContentType: 'text/plain' }),
        );
      } else if (upload.operation === 'MultipartUpload') {
        const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
        const part = await s3.send(
          new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: 'one part' }),
        );
        await s3.send(
          new CompleteMultipartUploadCommand({
            Bucket,
            Key,
            UploadId,
            MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
          }),
        );
      } else {
        await s3.send(
          new CopyObjectCommand({
            Bucket,
            Key,
            CopySource: `${Bucket}/${encodeURIComponent('uploads/asset-1/photo.jpg')}`,
          }),
        );
      }
      // Distinct event times, in upload order.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }

    const drain = async (queue: string): Promise<string[]> => {
      const url = resources.queues[queue]?.url;
      const messages: { sent: number; body: string }[] = [];
      for (;;) {
        const got = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: url,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['SentTimestamp'],
          }),
        );
        if (!got.Messages?.length) break;
        for (const message of got.Messages) {
          messages.push({ sent: Number(message.Attributes?.SentTimestamp), body: message.Body ?? '' });
          await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
        }
      }
      return messages.sort((a, b) => a.sent - b.sent).map((message) => message.body);
    };

    const fixture = {
      description:
        'S3 event notifications exactly as moto delivers them to SQS through SNS: `enveloped` holds SQS ' +
        'bodies of an SNS subscription with envelope delivery, `raw` of one with raw message delivery. ' +
        'Regenerate with: node --import tsx local/scripts/capture-moto-s3-events.ts',
      moto: motoVersion(),
      uploads,
      enveloped: await drain('enveloped'),
      raw: await drain('raw'),
    };
    const out = path.join(__dirname, '..', 'test', 'fixtures', 'moto-s3-events.json');
    writeFileSync(out, `${JSON.stringify(fixture, null, 2)}\n`);
    console.log(
      `Wrote ${fixture.enveloped.length} enveloped and ${fixture.raw.length} raw messages to ${out}`,
    );
  } finally {
    s3.destroy();
    sqs.destroy();
    await moto.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
