/**
 * The emulator's share of the pipeline, measured alone: a stand-in for the processor, indexer and
 * archiver (chosen by AWS_LAMBDA_FUNCTION_NAME) that makes the same S3 and SNS calls, in the same
 * order, with objects of similar sizes, and does nothing else: no decoding, no encoding, no hashing,
 * no validation, no index. bench/e2e.ts runs the same uploads through it and through the real
 * services; the difference is the pipeline's own cost.
 *
 *   processor  HeadObject + GetObject original, PutObject x7 renditions (24 KiB each), PutObject
 *              manifest (last: it triggers the other two), Publish asset.processed
 *   indexer    GetObject manifest, PutObject index document, Publish asset.indexed
 *   archiver   GetObject manifest, HeadObject original, CopyObject to the archive (GLACIER_IR,
 *              SHA-256), HeadObject copy, DeleteObject original, Publish asset.archived
 */
import { randomUUID } from 'node:crypto';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';

const env = process.env;
const service = env.AWS_LAMBDA_FUNCTION_NAME ?? '';
const common = { region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL };
const s3 = new S3Client({ ...common, forcePathStyle: true });
const sns = new SNSClient(common);
const RENDITION = Buffer.alloc(24 * 1024, 7);

interface MiniManifest {
  assetId: string;
  tenantId: string;
  key: string;
  fileName: string;
}

function s3Records(body: string): { bucket: string; key: string }[] {
  const envelope = JSON.parse(body) as { Message?: string };
  const doc = JSON.parse(envelope.Message ?? body) as {
    Records?: { s3: { bucket: { name: string }; object: { key: string } } }[];
  };
  return (doc.Records ?? []).map((r) => ({
    bucket: r.s3.bucket.name,
    key: decodeURIComponent(r.s3.object.key.replace(/\+/g, ' ')),
  }));
}

async function publish(type: string, assetId: string, tenantId: string): Promise<void> {
  await sns.send(
    new PublishCommand({
      TopicArn: env.PIPELINE_EVENTS_TOPIC_ARN,
      Message: JSON.stringify({
        id: randomUUID(),
        type,
        assetId,
        tenantId,
        time: new Date().toISOString(),
        source: service,
      }),
    }),
  );
}

async function readManifest(bucket: string, key: string): Promise<MiniManifest> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return JSON.parse((await out.Body?.transformToString()) ?? '{}') as MiniManifest;
}

async function processRecord(bucket: string, key: string): Promise<void> {
  const [, tenantId = '', assetId = '', ...rest] = key.split('/');
  if (!key.startsWith('uploads/')) return;
  await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  const original = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  await original.Body?.transformToByteArray();
  const processed = env.PROCESSED_BUCKET;
  await Promise.all(
    ['thumb.webp', 'thumb.jpeg', 'thumb.avif', 'medium.webp', 'medium.jpeg', 'large.webp', 'large.jpeg'].map(
      (name) =>
        s3.send(
          new PutObjectCommand({ Bucket: processed, Key: `renditions/${assetId}/${name}`, Body: RENDITION }),
        ),
    ),
  );
  const manifest: MiniManifest = { assetId, tenantId, key, fileName: rest.join('/') };
  await s3.send(
    new PutObjectCommand({
      Bucket: processed,
      Key: `manifests/${assetId}.json`,
      Body: JSON.stringify(manifest),
    }),
  );
  await publish('asset.processed', assetId, tenantId);
}

async function indexRecord(bucket: string, key: string): Promise<void> {
  const m = await readManifest(bucket, key);
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: `index/${m.tenantId}/${m.assetId}.json`,
      Body: JSON.stringify(m),
    }),
  );
  await publish('asset.indexed', m.assetId, m.tenantId);
}

async function archiveRecord(bucket: string, key: string): Promise<void> {
  const m = await readManifest(bucket, key);
  const ingest = env.INGEST_BUCKET;
  const target = `originals/${m.tenantId}/${m.assetId}/${m.fileName}`;
  await s3.send(new HeadObjectCommand({ Bucket: ingest, Key: m.key }));
  await s3.send(
    new CopyObjectCommand({
      Bucket: env.ARCHIVE_BUCKET,
      Key: target,
      CopySource: `${ingest}/${encodeURIComponent(m.key).replace(/%2F/g, '/')}`,
      StorageClass: 'GLACIER_IR',
      ChecksumAlgorithm: 'SHA256',
    }),
  );
  await s3.send(new HeadObjectCommand({ Bucket: env.ARCHIVE_BUCKET, Key: target, ChecksumMode: 'ENABLED' }));
  await s3.send(new DeleteObjectCommand({ Bucket: ingest, Key: m.key }));
  await publish('asset.archived', m.assetId, m.tenantId);
}

const work = { processor: processRecord, indexer: indexRecord, archiver: archiveRecord }[service];
if (!work) throw new Error(`noop-handler: no stand-in for "${service}"`);

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const failures: { itemIdentifier: string }[] = [];
  const one = async (record: SQSEvent['Records'][number]) => {
    try {
      for (const { bucket, key } of s3Records(record.body)) {
        if (service === 'processor' || key.startsWith('manifests/')) await work(bucket, key);
      }
    } catch {
      failures.push({ itemIdentifier: record.messageId });
    }
  };
  // As the services do: the processor's records one after another, the others' in parallel.
  if (service === 'processor') for (const record of event.Records) await one(record);
  else await Promise.all(event.Records.map(one));
  return { batchItemFailures: failures };
};
