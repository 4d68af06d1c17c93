import { randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { assertValid } from '@sluice/contracts';
import { type LocalStack, startStack } from '@sluice/local';
import { archiveKey, indexDocumentKey, manifestKey, renditionKey, uploadKey } from '@sluice/runtime';
import {
  awsClients,
  eventually,
  fixture,
  objectExists,
  PipelineEventTap,
  postFile,
  requestUpload,
} from './support';

describe('the pipeline on the local stack', () => {
  let stack: LocalStack;
  let aws: ReturnType<typeof awsClients>;
  let tap: PipelineEventTap;
  let buckets: { ingest: string; processed: string; archive: string };

  beforeAll(async () => {
    stack = await startStack({ stateFile: false, namePrefix: 'sluice-e2e' });
    aws = awsClients(stack.awsEndpoint);
    const b = stack.resources.buckets;
    buckets = { ingest: b.ingest as string, processed: b.processed as string, archive: b.archive as string };
    tap = await PipelineEventTap.attach(
      aws.sns,
      aws.sqs,
      stack.resources.topics['pipeline-events'] as string,
      'e2e-tap',
    );
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('uploads a photo through the API and sees it processed, indexed and archived', async () => {
    const photo = fixture('jpeg/orient-6.jpg');
    const { status, json } = await requestUpload(stack.apiUrl, stack.devToken, {
      fileName: 'holiday photo.jpg',
      contentType: 'image/jpeg',
      size: photo.length,
    });
    expect(status).toBe(201);
    const upload = assertValid('upload-response/v1', json);
    expect(await postFile(upload.upload, photo, 'image/jpeg')).toBe(204);

    const { assetId } = upload;
    const processed = await tap.waitFor('asset.processed', assetId);
    expect(processed.detail).toMatchObject({ manifestKey: manifestKey(assetId) });
    await tap.waitFor('asset.indexed', assetId);
    const archived = await tap.waitFor('asset.archived', assetId);
    expect(archived.detail).toMatchObject({ storageClass: 'GLACIER_IR' });

    const location = { tenantId: 'dev', assetId, fileName: 'holiday photo.jpg' };
    expect(await objectExists(aws.s3, buckets.processed, renditionKey(assetId, 'medium', 'webp'))).toBe(true);
    expect(await objectExists(aws.s3, buckets.processed, manifestKey(assetId))).toBe(true);
    expect(await objectExists(aws.s3, buckets.processed, indexDocumentKey('dev', assetId))).toBe(true);
    expect(await objectExists(aws.s3, buckets.archive, archiveKey(location))).toBe(true);
    await eventually('the original to leave the ingest bucket', async () =>
      (await objectExists(aws.s3, buckets.ingest, uploadKey(location))) ? undefined : true,
    );

    const status2 = await fetch(`${stack.apiUrl}/assets/${assetId}`, {
      headers: { authorization: `Bearer ${stack.devToken}` },
    });
    expect(status2.status).toBe(200);
    expect(((await status2.json()) as { stages: unknown }).stages).toEqual({
      uploaded: true,
      processed: true,
      indexed: true,
      archived: true,
    });
  });

  it('processes a file dropped straight into the ingest bucket under the documented layout', async () => {
    const assetId = randomUUID();
    const key = uploadKey({ tenantId: 'acme', assetId, fileName: 'dropped in ü+x.png' });
    await aws.s3.send(
      new PutObjectCommand({
        Bucket: buckets.ingest,
        Key: key,
        Body: fixture('png/alpha-rgba.png'),
        ContentType: 'image/png',
      }),
    );
    await tap.waitFor('asset.archived', assetId);
    expect(await objectExists(aws.s3, buckets.processed, renditionKey(assetId, 'medium', 'webp'))).toBe(true);
    expect(tap.eventsFor(assetId).map((e) => e.tenantId)).toEqual(expect.arrayContaining(['acme']));
  });

  it('rejects an undecodable image with a reason and keeps it in quarantine', async () => {
    const assetId = randomUUID();
    const location = { tenantId: 'dev', assetId, fileName: 'truncated.jpg' };
    await aws.s3.send(
      new PutObjectCommand({
        Bucket: buckets.ingest,
        Key: uploadKey(location),
        Body: fixture('broken/truncated.jpg'),
      }),
    );
    const rejected = await tap.waitFor('asset.rejected', assetId);
    expect(rejected.detail).toMatchObject({ reason: 'undecodable-image', stage: 'process' });
    expect(await objectExists(aws.s3, buckets.ingest, `quarantine/dev/${assetId}/truncated.jpg`)).toBe(true);
  });

  it('sends a poison message to the DLQ without holding up good uploads', async () => {
    const queues = stack.resources.queues;
    await aws.sqs.send(
      new SendMessageCommand({ QueueUrl: queues['processor-queue']?.url, MessageBody: 'not json' }),
    );
    const assetId = randomUUID();
    await aws.s3.send(
      new PutObjectCommand({
        Bucket: buckets.ingest,
        Key: uploadKey({ tenantId: 'dev', assetId, fileName: 'ok.gif' }),
        Body: fixture('gif/static.gif'),
      }),
    );
    await tap.waitFor('asset.processed', assetId);
    await eventually('the poison message in the processor DLQ', async () => {
      const out = await aws.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queues['processor-dlq']?.url,
          AttributeNames: ['ApproximateNumberOfMessages'],
        }),
      );
      return Number(out.Attributes?.ApproximateNumberOfMessages) === 1 ? true : undefined;
    });
  });

  it('refuses bad upload requests with a clear error', async () => {
    const noToken = await fetch(`${stack.apiUrl}/uploads`, { method: 'POST', body: '{}' });
    expect(noToken.status).toBe(401);
    const invalid = await requestUpload(stack.apiUrl, stack.devToken, {
      fileName: 'a.jpg',
      contentType: 'image/jpeg',
    });
    expect(invalid.status).toBe(400);
    expect(invalid.json.error?.code).toBe('invalid-request');
    expect(invalid.json.error?.message).toMatch(/size/);
  });
});
