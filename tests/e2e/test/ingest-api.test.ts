import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { type IndexDocument, validate } from '@sluice/contracts';
import { issueDevToken, type LocalStack, PAYLOAD_LIMIT_BYTES, startStack } from '@sluice/local';
import { archiveKey, uploadKey } from '@sluice/runtime';
import { openSearchIndex, readSearchConfig } from '@sluice/search';
import {
  type ApiCall,
  apiClient,
  ingestTopology,
  internalCall,
  policyOf,
  sha256,
  WEBHOOK_SECRET,
} from './ingest-support';
import { awsClients, eventually, objectExists, postFile } from './support';

/*
 * The ingest API through the local stack (API Gateway and function URL emulation, moto), with
 * only the ingest functions running: every route's happy path and refusals, tenants, tokens,
 * webhooks, a 105 MiB multipart upload with a part retried, the internal endpoints.
 */

const MiB = 1024 * 1024;
const BATCH_ROUTE = 'GET /s3/multipart/{uploadId}/batch';

describe('the ingest API on the local stack', () => {
  let stack: LocalStack;
  let aws: ReturnType<typeof awsClients>;
  let ingestBucket: string;
  let acme: ReturnType<typeof apiClient>;
  let globex: ReturnType<typeof apiClient>;
  let internalUrl: string;

  beforeAll(async () => {
    stack = await startStack({
      stateFile: false,
      namePrefix: 'e2e-ingest-api',
      services: ['ingest', 'ingest-internal'],
      topology: ingestTopology({ [BATCH_ROUTE]: { burstLimit: 3, rateLimit: 0.001 } }),
    });
    aws = awsClients(stack.awsEndpoint);
    ingestBucket = stack.resources.buckets.ingest as string;
    acme = apiClient(stack.apiUrl, await issueDevToken({ tenantId: 'acme' }));
    globex = apiClient(stack.apiUrl, await issueDevToken({ tenantId: 'globex' }));
    internalUrl = stack.functionUrls['ingest-internal'] ?? '';
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const expectError = (call: ApiCall, status: number, code: string) => {
    expect({ status: call.status, code: call.json?.error?.code }).toEqual({ status, code });
    expect(validate('api-error/v1', call.json).ok).toBe(true);
  };

  describe('auth', () => {
    it.each([
      ['no token', async () => null],
      ['an expired token', () => issueDevToken({ tenantId: 'acme', expiresIn: -60 })],
      ['a token for another audience', () => issueDevToken({ tenantId: 'acme', audience: 'someone-else' })],
      [
        'a token from another issuer',
        () => issueDevToken({ tenantId: 'acme', issuer: 'https://evil.example' }),
      ],
    ])("answers %s with API Gateway's 401 before the function runs", async (_what, token) => {
      const call = await apiClient(stack.apiUrl, await token())('GET', `/assets/${randomUUID()}`);
      expect(call.status).toBe(401);
      expect(call.json).toEqual({ message: 'Unauthorized' });
    });

    it('answers a valid token without a tenant claim with 403', async () => {
      const token = await issueDevToken({ tenantId: 'Not A Tenant!' });
      expectError(await apiClient(stack.apiUrl, token)('GET', `/assets/${randomUUID()}`), 403, 'no-tenant');
    });
  });

  describe('POST /uploads', () => {
    it('hands out a presigned POST whose policy pins exact size, type and key; the file lands there', async () => {
      const file = randomBytes(2048);
      const created = await acme('POST', '/uploads', {
        fileName: 'photo.png',
        contentType: 'image/png',
        size: file.length,
      });
      expect(created.status).toBe(201);
      expect(validate('upload-response/v1', created.json).ok).toBe(true);
      const { key, upload, assetId } = created.json;
      expect(key).toBe(uploadKey({ tenantId: 'acme', assetId, fileName: 'photo.png' }));
      // moto does not enforce POST policy conditions (it stores an oversized or mistyped file with a
      // 204), so the refusal S3 would make is checked on the policy document itself.
      expect(policyOf(upload.fields).conditions).toEqual(
        expect.arrayContaining([
          ['content-length-range', file.length, file.length],
          { 'Content-Type': 'image/png' },
          { key },
          { bucket: ingestBucket },
        ]),
      );
      expect(await postFile(upload, file, 'image/png')).toBe(204);
      expect(await objectExists(aws.s3, ingestBucket, key)).toBe(true);
      const status = await acme('GET', `/assets/${assetId}`);
      expect(status.status).toBe(200);
      expect(validate('asset-status/v1', status.json).ok).toBe(true);
      expect(status.json).toMatchObject({
        state: 'uploaded',
        fileName: 'photo.png',
        contentType: 'image/png',
        size: 2048,
      });
    });

    it.each([
      [{ fileName: 'a.png', contentType: 'image/png', size: 6 * 1024 ** 3 }, 413, 'file-too-large'],
      [
        { fileName: 'a.exe', contentType: 'application/x-msdownload', size: 10 },
        415,
        'unsupported-media-type',
      ],
      [{ fileName: 'a.png', contentType: 'image/png' }, 400, 'invalid-request'],
      [{ fileName: 'a.png', contentType: 'image/png', size: 1, bucket: 'other' }, 400, 'invalid-request'],
      ['{"fileName":', 400, 'invalid-json'],
    ])('refuses %j with %i %s', async (body, status, code) => {
      expectError(await acme('POST', '/uploads', body), status, code);
    });

    it("refuses a body over API Gateway's 10 MB payload limit before the function", async () => {
      const call = await acme('POST', '/uploads', 'x'.repeat(PAYLOAD_LIMIT_BYTES + 1));
      expect(call.status).toBe(413);
      expect(call.json).toEqual({ message: 'Request Entity Too Large' });
    });
  });

  describe('GET /s3/params (Uppy single-request upload)', () => {
    it('signs a POST of any size up to the limit, type pinned, under the caller tenant', async () => {
      const params = await acme(
        'GET',
        '/s3/params?filename=Scan%201.pdf&type=application%2Fpdf&metadata%5Bname%5D=Scan%201.pdf&metadata%5Bproject%5D=apollo',
      );
      expect(params.status).toBe(200);
      expect(validate('upload-params-response/v1', params.json).ok).toBe(true);
      const { fields, key, url, maxBytes } = params.json;
      expect(key.startsWith('uploads/acme/')).toBe(true);
      expect(maxBytes).toBe(5 * 1024 ** 3);
      expect(policyOf(fields).conditions).toEqual(
        expect.arrayContaining([
          ['content-length-range', 0, maxBytes],
          { 'Content-Type': 'application/pdf' },
          { 'x-amz-meta-project': 'apollo' },
        ]),
      );
      expect(
        await postFile({ method: 'POST', url, fields }, Buffer.from('%PDF-1.7'), 'application/pdf'),
      ).toBe(204);
      const head = await aws.s3.send(new HeadObjectCommand({ Bucket: ingestBucket, Key: key }));
      expect(head.Metadata).toEqual({ project: 'apollo', 'original-name': 'Scan%201.pdf' });
    });

    it.each([
      ['?type=image%2Fpng', 400, 'invalid-request'],
      ['?filename=a.png', 400, 'invalid-request'],
      ['?filename=a.zip&type=application%2Fzip', 415, 'unsupported-media-type'],
    ])('refuses %s with %i %s', async (query, status, code) => {
      expectError(await acme('GET', `/s3/params${query}`), status, code);
    });
  });

  describe('multipart uploads (Companion endpoints)', () => {
    const path = (uploadId: string, rest: string, key: string) =>
      `/s3/multipart/${encodeURIComponent(uploadId)}${rest}?key=${encodeURIComponent(key)}`;

    it('uploads 105 MiB in 21 parts, one of them retried after a dropped connection', async () => {
      const created = await acme('POST', '/s3/multipart', {
        filename: 'drone footage.mp4',
        type: 'video/mp4',
        metadata: { name: 'drone footage.mp4', type: 'video/mp4', relativePath: null },
      });
      expect(created.status).toBe(200);
      expect(validate('multipart-create-response/v1', created.json).ok).toBe(true);
      const { key, uploadId, assetId } = created.json;
      expect(key).toBe(uploadKey({ tenantId: 'acme', assetId, fileName: 'drone footage.mp4' }));

      const parts = 21;
      const whole = createHash('sha256');
      const etags: { PartNumber: number; ETag: string }[] = [];
      for (let partNumber = 1; partNumber <= parts; partNumber++) {
        // One part in memory at a time.
        const bytes = randomBytes(5 * MiB);
        whole.update(bytes);
        const signed = await acme('GET', path(uploadId, `/${partNumber}`, key));
        expect(signed.status).toBe(200);
        if (partNumber === 7) {
          // The first attempt dies mid-body, as a dropped connection would.
          const dying = new ReadableStream({
            pull(controller) {
              controller.enqueue(bytes.subarray(0, MiB));
              controller.error(new Error('connection dropped'));
            },
          });
          await expect(
            fetch(signed.json.url, { method: 'PUT', body: dying, duplex: 'half' } as RequestInit),
          ).rejects.toThrow();
          // Uppy signs again and resends the part.
          const again = await acme('GET', path(uploadId, `/${partNumber}`, key));
          expect(again.status).toBe(200);
          signed.json.url = again.json.url;
        }
        const put = await fetch(signed.json.url, { method: 'PUT', body: bytes });
        expect(put.status).toBe(200);
        etags.push({ PartNumber: partNumber, ETag: put.headers.get('etag') ?? '' });
      }

      const listed = await acme('GET', path(uploadId, '', key));
      expect(validate('multipart-parts/v1', listed.json).ok).toBe(true);
      expect(listed.json.map((p: { PartNumber: number; Size: number }) => [p.PartNumber, p.Size])).toEqual(
        Array.from({ length: parts }, (_, i) => [i + 1, 5 * MiB]),
      );

      const done = await acme('POST', path(uploadId, '/complete', key), { parts: etags });
      expect(done.status).toBe(200);
      expect(validate('multipart-complete-response/v1', done.json).ok).toBe(true);
      expect(done.json).toMatchObject({ key, assetId, size: parts * 5 * MiB });

      // The object S3 assembled is exactly the bytes sent, the retried part included.
      const object = await aws.s3.send(new GetObjectCommand({ Bucket: ingestBucket, Key: key }));
      expect(object.ContentType).toBe('video/mp4');
      expect(object.ContentLength).toBe(105 * MiB);
      const read = createHash('sha256');
      for await (const chunk of object.Body as AsyncIterable<Uint8Array>) read.update(chunk);
      expect(read.digest('hex')).toBe(whole.digest('hex'));
    });

    it("never signs, lists, completes or aborts another tenant's upload", async () => {
      const created = await acme('POST', '/s3/multipart', { filename: 'a.mp4', type: 'video/mp4' });
      const { key, uploadId } = created.json;
      const own = await globex('POST', '/s3/multipart', { filename: 'b.mp4', type: 'video/mp4' });
      for (const call of [
        () => globex('GET', path(uploadId, '/1', key)),
        () => globex('GET', path(uploadId, '', key)),
        () => globex('POST', path(uploadId, '/complete', key), { parts: [{ PartNumber: 1, ETag: '"x"' }] }),
        () => globex('DELETE', path(uploadId, '', key)),
        // Its own key with acme's upload id: the id is not an upload of that key.
        () => globex('GET', path(uploadId, '/1', own.json.key)),
      ]) {
        expectError(await call(), 404, 'upload-not-found');
      }
      // Still intact for its owner.
      expect((await acme('GET', path(uploadId, '', key))).status).toBe(200);
    });

    it('signs batches, throttled per route as API Gateway would', async () => {
      const { key, uploadId } = (
        await acme('POST', '/s3/multipart', { filename: 'c.mp4', type: 'video/mp4' })
      ).json;
      const batch = await acme('GET', `${path(uploadId, '/batch', key)}&partNumbers=1,2,3`);
      expect(batch.status).toBe(200);
      expect(validate('multipart-part-urls/v1', batch.json).ok).toBe(true);
      expect(Object.keys(batch.json.presignedUrls)).toEqual(['1', '2', '3']);
      // The test topology gives this route a burst of 3 and almost no refill.
      const statuses = [];
      for (let i = 0; i < 3; i++)
        statuses.push((await acme('GET', `${path(uploadId, '/batch', key)}&partNumbers=1`)).status);
      expect(statuses).toEqual([200, 200, 429]);
    });

    it('aborts an upload; then it is gone', async () => {
      const { key, uploadId } = (
        await acme('POST', '/s3/multipart', { filename: 'd.mp4', type: 'video/mp4' })
      ).json;
      const signed = await acme('GET', path(uploadId, '/1', key));
      expect((await fetch(signed.json.url, { method: 'PUT', body: randomBytes(1024) })).status).toBe(200);
      const aborted = await acme('DELETE', path(uploadId, '', key));
      expect(aborted.status).toBe(200);
      expect(validate('multipart-abort-response/v1', aborted.json).ok).toBe(true);
      expectError(await acme('GET', path(uploadId, '', key)), 404, 'upload-not-found');
    });

    it.each([
      [
        'a disallowed type',
        () => acme('POST', '/s3/multipart', { filename: 'x.exe', type: 'application/x-msdownload' }),
        415,
        'unsupported-media-type',
      ],
      [
        'a declared size over the limit',
        () => acme('POST', '/s3/multipart', { filename: 'x.mp4', type: 'video/mp4', size: 6 * 1024 ** 4 }),
        413,
        'file-too-large',
      ],
      ['no filename', () => acme('POST', '/s3/multipart', { type: 'video/mp4' }), 400, 'invalid-request'],
      ['no key', () => acme('GET', '/s3/multipart/abc/1'), 400, 'invalid-request'],
      [
        'a part number out of range',
        () =>
          acme(
            'GET',
            `/s3/multipart/abc/10001?key=${encodeURIComponent(uploadKey({ tenantId: 'acme', assetId: randomUUID(), fileName: 'x' }))}`,
          ),
        400,
        'invalid-request',
      ],
      [
        'completion without parts',
        () => acme('POST', `/s3/multipart/abc/complete?key=x`, { parts: [] }),
        400,
        'invalid-request',
      ],
    ])('refuses %s', async (_what, call, status, code) => {
      expectError(await call(), status, code);
    });
  });

  describe('GET /assets/{id} and GET /search', () => {
    const doc = (tenantId: string, fileName: string): IndexDocument => ({
      assetId: randomUUID(),
      tenantId,
      fileName,
      mime: 'image/jpeg',
      kind: 'image',
      tags: ['e2e'],
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
      sourceSequencer: '01',
    });

    it("answers another tenant's asset like a missing one, and a malformed id with 400", async () => {
      const assetId = randomUUID();
      await aws.s3.send(
        new PutObjectCommand({
          Bucket: ingestBucket,
          Key: uploadKey({ tenantId: 'acme', assetId, fileName: 'x.png' }),
          Body: 'x',
        }),
      );
      expect((await acme('GET', `/assets/${assetId}`)).status).toBe(200);
      expectError(await globex('GET', `/assets/${assetId}`), 404, 'not-found');
      expectError(await acme('GET', `/assets/${randomUUID()}`), 404, 'not-found');
      expectError(await acme('GET', '/assets/not-a-uuid'), 400, 'invalid-asset-id');
    });

    it("searches the caller's documents only", async () => {
      // The indexer is not running here: write to the stack's search index as it would.
      const { store } = openSearchIndex(readSearchConfig(stack.env('ingest')));
      const mine = doc('acme', 'lighthouse at dusk.jpg');
      const theirs = doc('globex', 'lighthouse plans.jpg');
      for (const d of [mine, theirs]) await store.upsert(d, null);
      const found = await acme('GET', '/search?q=lighthouse');
      expect(found.status).toBe(200);
      expect(validate('search-response/v1', found.json).ok).toBe(true);
      expect(found.json.results.map((r: { assetId: string }) => r.assetId)).toEqual([mine.assetId]);
      expect(
        (await globex('GET', '/search?q=lighthouse')).json.results.map((r: { assetId: string }) => r.assetId),
      ).toEqual([theirs.assetId]);
      expectError(await acme('GET', '/search?tenantId=globex'), 400, 'invalid-search');
      expectError(await acme('GET', '/search?limit=1000'), 400, 'invalid-search');
    });
  });

  describe('POST /webhooks/{source}', () => {
    const send = (body: string, timestamp: number, secret = WEBHOOK_SECRET, source = 'shop') =>
      fetch(`${stack.apiUrl}/webhooks/${source}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-sluice-timestamp': String(timestamp),
          'x-sluice-signature': `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`,
        },
        body,
      });
    const now = () => Math.floor(Date.now() / 1000);

    it('stores a signed delivery (no JWT needed) under uploads/ of the source tenant, and refuses its replay', async () => {
      const body = JSON.stringify({ event: 'order.paid', id: randomUUID() });
      const t = now();
      const first = await send(body, t);
      expect(first.status).toBe(202);
      const receipt = (await first.json()) as { key: string; assetId: string };
      expect(validate('webhook-receipt/v1', receipt).ok).toBe(true);
      expect(receipt.key).toBe(
        uploadKey({ tenantId: 'acme', assetId: receipt.assetId, fileName: 'webhook-shop.json' }),
      );
      const stored = await aws.s3.send(new GetObjectCommand({ Bucket: ingestBucket, Key: receipt.key }));
      const envelope = JSON.parse(
        await (stored.Body as { transformToString(): Promise<string> }).transformToString(),
      );
      expect(validate('webhook-envelope/v1', envelope).ok).toBe(true);
      expect(envelope).toMatchObject({
        payload: body,
        sha256: sha256(body),
        source: 'shop',
        tenantId: 'acme',
      });

      const replay = await send(body, t);
      expect(replay.status).toBe(409);
      expect(((await replay.json()) as { error: { code: string } }).error.code).toBe('webhook-replayed');
    });

    it.each([
      [
        'forged (wrong secret)',
        () => send('{"a":1}', now(), 'not-the-shop-secret-at-all'),
        401,
        'invalid-signature',
      ],
      ['replayed outside the window', () => send('{"a":1}', now() - 600), 401, 'timestamp-out-of-window'],
      ['for an unknown source', () => send('{"a":1}', now(), WEBHOOK_SECRET, 'bank'), 404, 'unknown-source'],
      [
        'unsigned',
        () => fetch(`${stack.apiUrl}/webhooks/shop`, { method: 'POST', body: '{"a":1}' }),
        401,
        'missing-signature',
      ],
    ])('refuses a webhook %s, storing nothing', async (_what, call, status, code) => {
      const keys = async () =>
        (await aws.s3.send(new ListObjectsV2Command({ Bucket: ingestBucket }))).Contents?.map(
          (o) => o.Key,
        ).sort();
      const before = await keys();
      const response = await call();
      expect(response.status).toBe(status);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
      expect(await keys()).toEqual(before);
    });
  });

  describe('internal function URL (IAM auth)', () => {
    it('refuses an unsigned call with 403', async () => {
      const call = await internalCall(
        internalUrl,
        '/internal/reprocess',
        { tenantId: 'acme', assetId: randomUUID() },
        false,
      );
      expect(call.status).toBe(403);
      expect(call.json).toEqual({ Message: 'Forbidden' });
    });

    it('reprocesses an original still in uploads/ (copied onto itself) and an archived one (back into uploads/)', async () => {
      const waiting = { tenantId: 'acme', assetId: randomUUID(), fileName: 'w.png' };
      await aws.s3.send(
        new PutObjectCommand({
          Bucket: ingestBucket,
          Key: uploadKey(waiting),
          Body: 'w',
          ContentType: 'image/png',
        }),
      );
      const before = await aws.s3.send(
        new HeadObjectCommand({ Bucket: ingestBucket, Key: uploadKey(waiting) }),
      );
      const first = await internalCall(internalUrl, '/internal/reprocess', {
        tenantId: 'acme',
        assetId: waiting.assetId,
      });
      expect(first.status).toBe(202);
      expect(first.json).toMatchObject({ from: 'uploads', key: uploadKey(waiting) });
      const after = await aws.s3.send(
        new HeadObjectCommand({ Bucket: ingestBucket, Key: uploadKey(waiting) }),
      );
      expect(after.ContentType).toBe('image/png');
      expect(after.LastModified?.getTime()).toBeGreaterThanOrEqual(
        before.LastModified?.getTime() ?? Number.POSITIVE_INFINITY,
      );

      const archived = { tenantId: 'acme', assetId: randomUUID(), fileName: 'old.jpg' };
      await aws.s3.send(
        new PutObjectCommand({
          Bucket: stack.resources.buckets.archive,
          Key: archiveKey(archived),
          Body: 'old',
          StorageClass: 'GLACIER_IR',
        }),
      );
      const second = await internalCall(internalUrl, '/internal/reprocess', {
        tenantId: 'acme',
        assetId: archived.assetId,
      });
      expect(second.status).toBe(202);
      expect(validate('reprocess-response/v1', second.json).ok).toBe(true);
      expect(second.json).toMatchObject({ from: 'archive', key: uploadKey(archived) });
      expect(await objectExists(aws.s3, ingestBucket, uploadKey(archived))).toBe(true);

      const missing = await internalCall(internalUrl, '/internal/reprocess', {
        tenantId: 'acme',
        assetId: randomUUID(),
      });
      expect(missing.status).toBe(404);
    });

    it('redrives the processor DLQ back onto its queue', async () => {
      const queues = stack.resources.queues;
      const marker = randomUUID();
      for (let i = 0; i < 3; i++) {
        await aws.sqs.send(
          new SendMessageCommand({ QueueUrl: queues['processor-dlq']?.url, MessageBody: `${marker} ${i}` }),
        );
      }
      const call = await internalCall(internalUrl, '/internal/dlq/processor-queue/redrive', {
        maxMessages: 10,
      });
      expect(call.status).toBe(200);
      expect(validate('redrive-response/v1', call.json).ok).toBe(true);
      expect(call.json).toMatchObject({ queue: 'processor-queue', moved: 3, remaining: 0 });
      const seen = new Set<string>();
      await eventually(
        'the redriven messages on the processor queue',
        async () => {
          const out = await aws.sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: queues['processor-queue']?.url,
              MaxNumberOfMessages: 10,
              WaitTimeSeconds: 1,
            }),
          );
          for (const m of out.Messages ?? []) if (m.Body?.startsWith(marker)) seen.add(m.Body);
          return seen.size === 3 ? true : undefined;
        },
        { timeoutMs: 30_000 },
      );
      const unknown = await internalCall(internalUrl, '/internal/dlq/nope/redrive', {});
      expect(unknown.status).toBe(404);
    });
  });
});
