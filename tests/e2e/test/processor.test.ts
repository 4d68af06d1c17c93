import { randomUUID } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { assertValid } from '@sluice/contracts';
import { type LocalStack, startStack } from '@sluice/local';
import { manifestKey, quarantineKey, renditionKey, uploadKey } from '@sluice/runtime';
import { awsClients, eventually, fixture, objectExists, PipelineEventTap } from './support';

// The processor alone on the local stack: real S3 semantics (conditional writes, ETags, events)
// for replays, out-of-order events and rejections.
describe('the processor on the local stack', () => {
  let stack: LocalStack;
  let aws: ReturnType<typeof awsClients>;
  let tap: PipelineEventTap;
  let ingest: string;
  let processed: string;
  let queueUrl: string;

  beforeAll(async () => {
    stack = await startStack({ stateFile: false, namePrefix: 'sluice-e2e-proc', services: ['processor'] });
    aws = awsClients(stack.awsEndpoint);
    ingest = stack.resources.buckets.ingest as string;
    processed = stack.resources.buckets.processed as string;
    queueUrl = stack.resources.queues['processor-queue']?.url as string;
    tap = await PipelineEventTap.attach(
      aws.sns,
      aws.sqs,
      stack.resources.topics['pipeline-events'] as string,
      'e2e-proc-tap',
    );
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  async function put(key: string, body: Buffer, contentType: string): Promise<string> {
    const out = await aws.s3.send(
      new PutObjectCommand({ Bucket: ingest, Key: key, Body: body, ContentType: contentType }),
    );
    return (out.ETag ?? '').replace(/"/g, '');
  }

  async function fingerprint(keys: string[]): Promise<string[]> {
    return Promise.all(
      keys.map(async (key) => {
        const head = await aws.s3.send(new HeadObjectCommand({ Bucket: processed, Key: key }));
        return `${key} ${head.ETag} ${head.LastModified?.toISOString()} ${head.Metadata?.['source-sequencer']}`;
      }),
    );
  }

  /** Sends an S3 event for `key` straight to the processor's queue, as a redelivery would. */
  async function redeliver(key: string, eTag: string, sequencer: string): Promise<void> {
    const notification = {
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          awsRegion: 'us-east-1',
          eventTime: new Date().toISOString(),
          eventName: 'ObjectCreated:Put',
          userIdentity: { principalId: 'AWS:LOCAL' },
          requestParameters: { sourceIPAddress: '127.0.0.1' },
          responseElements: { 'x-amz-request-id': 'REPLAY', 'x-amz-id-2': 'REPLAY' },
          s3: {
            s3SchemaVersion: '1.0',
            configurationId: 'replay',
            bucket: { name: ingest, ownerIdentity: { principalId: 'LOCAL' }, arn: `arn:aws:s3:::${ingest}` },
            object: { key: encodeURIComponent(key).replace(/%2F/g, '/'), size: 1, eTag, sequencer },
          },
        },
      ],
    };
    await aws.sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(notification) }),
    );
  }

  async function queueDrained(): Promise<true> {
    return eventually('the processor queue to drain', async () => {
      const out = await aws.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      const a = out.Attributes ?? {};
      return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible) === 0
        ? true
        : undefined;
    });
  }

  it('strips GPS and EXIF from renditions, keeps camera facts in the manifest, and ignores a replay', async () => {
    const assetId = randomUUID();
    const key = uploadKey({ tenantId: 'acme', assetId, fileName: 'phone photo.jpg' });
    await put(key, fixture('jpeg/gps-phone.jpg'), 'image/jpeg');
    const first = await tap.waitFor('asset.processed', assetId);

    const manifestDoc = await aws.s3.send(
      new GetObjectCommand({ Bucket: processed, Key: manifestKey(assetId) }),
    );
    const manifest = assertValid(
      'asset-manifest/v1',
      JSON.parse((await manifestDoc.Body?.transformToString()) ?? ''),
    );
    expect(manifest.exif).toMatchObject({ make: 'Google', model: 'Pixel' });
    expect(JSON.stringify(manifest)).not.toMatch(/gps|latitude|longitude/i);
    expect(manifest.renditions.map((r) => `${r.preset}.${r.format}`).sort()).toEqual([
      'large.jpeg',
      'large.webp',
      'medium.jpeg',
      'medium.webp',
      'thumb.avif',
      'thumb.jpeg',
      'thumb.webp',
    ]);
    for (const r of manifest.renditions) {
      const body = await aws.s3.send(new GetObjectCommand({ Bucket: processed, Key: r.key }));
      const bytes = Buffer.from((await body.Body?.transformToByteArray()) ?? []);
      expect(bytes.length).toBe(r.bytes);
      expect(bytes.includes('Exif')).toBe(false);
    }

    const outputs = [...manifest.renditions.map((r) => r.key), manifestKey(assetId)];
    const before = await fingerprint(outputs);
    await redeliver(key, manifest.source.eTag.replace(/"/g, ''), manifest.source.sequencer);
    await eventually('the re-announcement', async () =>
      (await tap.drain()).filter((e) => e.assetId === assetId && e.type === 'asset.processed').length === 2
        ? true
        : undefined,
    );
    expect(tap.eventsFor(assetId).map((e) => e.id)).toEqual([first.id, first.id]);
    expect(await fingerprint(outputs)).toEqual(before);
  });

  it('processes an overwrite and never lets the older event clobber it', async () => {
    const assetId = randomUUID();
    const key = uploadKey({ tenantId: 'acme', assetId, fileName: 'image' });
    const oldETag = await put(key, fixture('png/palette.png'), 'image/png');
    await tap.waitFor('asset.processed', assetId);
    const oldManifest = await aws.s3.send(
      new GetObjectCommand({ Bucket: processed, Key: manifestKey(assetId) }),
    );
    const oldSequencer = JSON.parse((await oldManifest.Body?.transformToString()) ?? '{}').source
      .sequencer as string;

    await put(key, fixture('gif/static.gif'), 'image/gif');
    await eventually('the overwrite processed', async () => {
      const out = await aws.s3.send(new GetObjectCommand({ Bucket: processed, Key: manifestKey(assetId) }));
      const doc = JSON.parse((await out.Body?.transformToString()) ?? '{}');
      return doc.image?.format === 'gif' ? true : undefined;
    });
    const outputs = [renditionKey(assetId, 'medium', 'webp'), manifestKey(assetId)];
    const before = await fingerprint(outputs);

    await redeliver(key, oldETag, oldSequencer);
    await queueDrained();
    expect(await fingerprint(outputs)).toEqual(before);
  });

  it('rejects an SVG into quarantine with a reason', async () => {
    const assetId = randomUUID();
    const location = { tenantId: 'acme', assetId, fileName: 'logo.svg' };
    await put(uploadKey(location), fixture('svg/external-ref-embedded.svg'), 'image/svg+xml');
    const rejected = await tap.waitFor('asset.rejected', assetId);
    expect(rejected.detail).toMatchObject({
      reason: 'unsafe-image-format',
      quarantineKey: quarantineKey(location),
    });
    expect(await objectExists(aws.s3, ingest, quarantineKey(location))).toBe(true);
    expect(await objectExists(aws.s3, ingest, uploadKey(location))).toBe(false);
    expect(await objectExists(aws.s3, processed, manifestKey(assetId))).toBe(false);
  });
});
