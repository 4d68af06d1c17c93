import { createHmac } from 'node:crypto';
import { validate } from '@sluice/contracts';
import { issueDevToken, type LocalStack, startStack } from '@sluice/local';
import { apiClient, ingestTopology, internalCall, WEBHOOK_SECRET } from './ingest-support';
import { awsClients, eventually, fixture, PipelineEventTap, postFile } from './support';

/*
 * The ingest API's answers about assets that really went through the pipeline: status with
 * rendition URLs, rejections with their reason, webhooks flowing like uploads, search over what
 * the indexer wrote, and a reprocess through the internal function URL.
 */

describe('the ingest API over the whole pipeline', () => {
  let stack: LocalStack;
  let tap: PipelineEventTap;
  let acme: ReturnType<typeof apiClient>;
  let globex: ReturnType<typeof apiClient>;
  let photoId: string;

  beforeAll(async () => {
    stack = await startStack({ stateFile: false, namePrefix: 'e2e-ingest-flow', topology: ingestTopology() });
    const aws = awsClients(stack.awsEndpoint);
    tap = await PipelineEventTap.attach(
      aws.sns,
      aws.sqs,
      stack.resources.topics['pipeline-events'] as string,
      'e2e-ingest-flow-tap',
    );
    acme = apiClient(stack.apiUrl, await issueDevToken({ tenantId: 'acme' }));
    globex = apiClient(stack.apiUrl, await issueDevToken({ tenantId: 'globex' }));
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('uploads a photo as Uppy would (GET /s3/params) and reports it archived, with working rendition URLs', async () => {
    const photo = fixture('jpeg/orient-6.jpg');
    const params = await acme('GET', '/s3/params?filename=harbour%20lighthouse.jpg&type=image%2Fjpeg');
    expect(params.status).toBe(200);
    expect(await postFile(params.json, photo, 'image/jpeg')).toBe(204);
    photoId = params.json.assetId;
    await tap.waitFor('asset.archived', photoId);
    await tap.waitFor('asset.indexed', photoId);

    const status = await acme('GET', `/assets/${photoId}`);
    expect(status.status).toBe(200);
    expect(validate('asset-status/v1', status.json).ok).toBe(true);
    expect(status.json).toMatchObject({
      state: 'archived',
      stages: { uploaded: true, processed: true, indexed: true, archived: true },
      fileName: 'harbour lighthouse.jpg',
      contentType: 'image/jpeg',
      size: photo.length,
      detected: { kind: 'image' },
    });
    expect(status.json.renditions.length).toBeGreaterThan(0);
    for (const rendition of status.json.renditions) {
      const image = await fetch(rendition.url);
      expect(image.status).toBe(200);
      expect(image.headers.get('content-type')).toBe(rendition.contentType);
      expect((await image.arrayBuffer()).byteLength).toBe(rendition.bytes);
    }
    expect((await globex('GET', `/assets/${photoId}`)).status).toBe(404);
  });

  it('finds the indexed photo by its name for its tenant only', async () => {
    const found = await acme('GET', '/search?q=lighthouse&kind=image');
    expect(found.status).toBe(200);
    expect(validate('search-response/v1', found.json).ok).toBe(true);
    expect(found.json.results.map((r: { assetId: string }) => r.assetId)).toContain(photoId);
    expect((await globex('GET', '/search?q=lighthouse')).json.results).toEqual([]);
  });

  it('reports a rejected upload with the reason the processor gave', async () => {
    const broken = fixture('broken/truncated.jpg');
    const created = await acme('POST', '/uploads', {
      fileName: 'truncated.jpg',
      contentType: 'image/jpeg',
      size: broken.length,
    });
    expect(created.status).toBe(201);
    expect(await postFile(created.json.upload, broken, 'image/jpeg')).toBe(204);
    const rejected = await tap.waitFor('asset.rejected', created.json.assetId);
    const status = await acme('GET', `/assets/${created.json.assetId}`);
    expect(validate('asset-status/v1', status.json).ok).toBe(true);
    expect(status.json).toMatchObject({
      state: 'rejected',
      rejection: { reason: (rejected.detail as { reason: string }).reason, stage: 'process' },
      renditions: [],
    });
  });

  it('runs a signed webhook through the pipeline like any upload', async () => {
    const body = JSON.stringify({ event: 'order.paid', id: 'ord_42' });
    const t = Math.floor(Date.now() / 1000);
    const response = await fetch(`${stack.apiUrl}/webhooks/shop`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-sluice-timestamp': String(t),
        'x-sluice-signature': `v1=${createHmac('sha256', WEBHOOK_SECRET).update(`${t}.${body}`).digest('hex')}`,
      },
      body,
    });
    expect(response.status).toBe(202);
    const { assetId } = (await response.json()) as { assetId: string };
    // Processed or rejected is the processor's call on a JSON file; either way it left "uploaded".
    const outcome = await eventually('the webhook to be processed or rejected', async () =>
      (await tap.drain()).find(
        (e) => e.assetId === assetId && ['asset.processed', 'asset.rejected'].includes(e.type),
      ),
    );
    expect(outcome.tenantId).toBe('acme');
    const status = await acme('GET', `/assets/${assetId}`);
    expect(status.status).toBe(200);
    expect(status.json.state).not.toBe('uploaded');
  });

  it('reprocesses the archived photo through the internal function URL', async () => {
    const before = tap.eventsFor(photoId).filter((e) => e.type === 'asset.processed').length;
    const call = await internalCall(stack.functionUrls['ingest-internal'] ?? '', '/internal/reprocess', {
      tenantId: 'dev',
      assetId: photoId,
    });
    // The photo belongs to tenant acme: under another tenant there is no such original.
    expect(call.status).toBe(404);
    const again = await internalCall(stack.functionUrls['ingest-internal'] ?? '', '/internal/reprocess', {
      tenantId: 'acme',
      assetId: photoId,
    });
    expect(again.status).toBe(202);
    expect(again.json).toMatchObject({ from: 'archive' });
    await eventually('a second asset.processed for the photo', async () => {
      await tap.drain();
      return tap.eventsFor(photoId).filter((e) => e.type === 'asset.processed').length > before
        ? true
        : undefined;
    });
    await eventually('the photo archived again', async () => {
      const status = await acme('GET', `/assets/${photoId}`);
      return status.json.state === 'archived' &&
        (await tap.drain()).filter((e) => e.assetId === photoId && e.type === 'asset.archived').length >= 2
        ? true
        : undefined;
    });
  });
});
