import { validate } from '@sluice/contracts';
import { ConfigError, uploadKey } from '@sluice/runtime';
import { InMemoryObjectStore } from '@sluice/runtime/testing';
import { type ApiDeps, createApi, ROUTES } from '../src/api';
import { readConfig, readInternalConfig } from '../src/config';
import { ContentTypePolicy } from '../src/domain/content-types';
import { SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from '../src/domain/webhook-signature';
import type { HttpEvent } from '../src/http';
import { createInternalApi, type InternalApiDeps } from '../src/internal-api';
import type { AssetOriginals, OriginalLocation } from '../src/ports/asset-originals';
import { allowedTypes, quietLogger } from './support/deps';
import { FakeMultipartUploads } from './support/fake-multipart';
import { FakeOriginalStore } from './support/fake-originals';

const ASSET = '3f6c1a52-9b7e-4d0a-8c21-5e4f7d2b9a10';
const SECRET = 'whsec_0123456789abcdef';

function event(routeKey: string, init: Partial<HttpEvent> & { tenant?: string | null } = {}): HttpEvent {
  const { tenant = 'acme', ...rest } = init;
  const [method = 'GET', path = '/'] = routeKey.split(' ');
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: {
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
      ...(tenant !== null
        ? { authorizer: { jwt: { claims: { tenant_id: tenant, sub: 'u' }, scopes: null } } }
        : {}),
    },
    ...rest,
  } as HttpEvent;
}

function apiDeps(overrides: Partial<ApiDeps> = {}): ApiDeps {
  return {
    logger: quietLogger(),
    signer: { presignPost: async () => ({ url: 'https://s3.example/ingest', fields: { key: 'k' } }) },
    multipart: new FakeMultipartUploads(),
    objects: new InMemoryObjectStore(),
    urls: { presignGet: async (bucket, key) => `https://s3.example/${bucket}/${key}` },
    originals: new FakeOriginalStore(),
    search: {
      search: async () => ({
        results: [],
        ranking: 'recent',
        index: { backend: 'x', model: 'none', dimension: 1 },
      }),
    },
    inbox: { claim: async () => true, release: async () => undefined, store: async () => undefined },
    ingestBucket: 'ingest',
    processedBucket: 'processed',
    archiveBucket: 'archive',
    uploadMaxBytes: 1000,
    uploadUrlTtlSeconds: 900,
    allowedContentTypes: allowedTypes,
    renditionUrlTtlSeconds: 300,
    webhookSources: { shop: { tenantId: 'acme', secrets: [SECRET] } },
    webhookToleranceSeconds: 300,
    webhookMaxBytes: 1024,
    ...overrides,
  };
}

const bodyOf = (result: { body?: string }) => JSON.parse(result.body ?? 'null');

describe('the public API (createApi)', () => {
  it('answers every route of the topology', async () => {
    const { topology } = await import('@sluice/contracts');
    const trigger = topology.services.ingest?.trigger as { routes: string[] };
    expect(Object.keys(ROUTES).sort()).toEqual([...trigger.routes].sort());
  });

  it.each([
    ['an unknown route', event('GET /nowhere'), 404, 'not-found'],
    ['no tenant claim', event('POST /uploads', { tenant: null, body: '{}' }), 403, 'no-tenant'],
    [
      'a tenant claim outside the pattern',
      event('POST /uploads', { tenant: 'ACME/..', body: '{}' }),
      403,
      'no-tenant',
    ],
    ['a body that is not JSON', event('POST /uploads', { body: '{"a":' }), 400, 'invalid-json'],
    ['no body', event('POST /uploads'), 400, 'invalid-request'],
    [
      'an invalid body, listing every problem',
      event('POST /uploads', { body: '{"fileName":""}' }),
      400,
      'invalid-request',
    ],
  ])('refuses %s, in the api-error shape', async (_what, request, status, code) => {
    const result = await createApi(apiDeps())(request);
    expect(result.statusCode).toBe(status);
    expect(result.headers?.['content-type']).toBe('application/json');
    const body = bodyOf(result);
    expect(validate('api-error/v1', body)).toMatchObject({ ok: true });
    expect(body.error.code).toBe(code);
  });

  it('puts each schema error in details', async () => {
    const result = await createApi(apiDeps())(event('POST /uploads', { body: '{"fileName":""}' }));
    expect(bodyOf(result).error.details).toEqual(
      expect.arrayContaining([
        '/fileName must NOT have fewer than 1 characters',
        '/contentType is required',
        '/size is required',
      ]),
    );
  });

  it('answers an unexpected failure with a bare 500, never its details', async () => {
    const deps = apiDeps({ search: { search: async () => Promise.reject(new Error('secret internals')) } });
    const result = await createApi(deps)(event('GET /search'));
    expect(result.statusCode).toBe(500);
    expect(bodyOf(result)).toEqual({ error: { code: 'internal', message: 'Internal error' } });
  });

  it('takes the webhook raw body as signed, base64 or not', async () => {
    const stored: string[] = [];
    const deps = apiDeps({
      inbox: {
        claim: async () => true,
        release: async () => undefined,
        store: async (key) => void stored.push(key),
      },
    });
    const bytes = Buffer.from('{"a":1}');
    const t = Math.floor(Date.now() / 1000);
    const result = await createApi(deps)(
      event('POST /webhooks/{source}', {
        tenant: null,
        pathParameters: { source: 'shop' },
        headers: { [TIMESTAMP_HEADER]: String(t), [SIGNATURE_HEADER]: signWebhook(SECRET, t, bytes) },
        body: bytes.toString('base64'),
        isBase64Encoded: true,
      }),
    );
    expect(result.statusCode).toBe(202);
    expect(stored).toEqual([bodyOf(result).key]);
  });

  it('creates an upload (201) and answers the asset status (200) with the caller tenant', async () => {
    const objects = new InMemoryObjectStore();
    const api = createApi(apiDeps({ objects }));
    const created = await api(
      event('POST /uploads', {
        body: JSON.stringify({ fileName: 'a.png', contentType: 'image/png', size: 3 }),
      }),
    );
    expect(created.statusCode).toBe(201);
    objects.seed(
      'ingest',
      uploadKey({ tenantId: 'acme', assetId: ASSET, fileName: 'a.png' }),
      'abc',
      'image/png',
    );
    const mine = await api(event('GET /assets/{id}', { pathParameters: { id: ASSET } }));
    expect(mine.statusCode).toBe(200);
    const theirs = await api(event('GET /assets/{id}', { tenant: 'globex', pathParameters: { id: ASSET } }));
    expect(theirs.statusCode).toBe(404);
  });
});

class FakeOriginals implements AssetOriginals {
  constructor(readonly found: OriginalLocation[]) {}
  readonly retriggered: [OriginalLocation, string][] = [];
  async locate(): Promise<OriginalLocation[]> {
    return this.found;
  }
  async retrigger(from: OriginalLocation, key: string): Promise<void> {
    this.retriggered.push([from, key]);
  }
}

describe('the internal API (createInternalApi)', () => {
  const iam = { accessKey: 'AKID', accountId: '123456789012', userArn: 'arn:aws:iam::123456789012:user/ops' };
  function internalEvent(method: string, path: string, body?: unknown, signed = true): HttpEvent {
    return {
      ...event(`${method} ${path}`, { tenant: null }),
      routeKey: '$default',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      requestContext: {
        http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
        ...(signed ? { authorizer: { iam } } : {}),
      },
    } as HttpEvent;
  }
  function deps(
    found: OriginalLocation[] = [],
  ): InternalApiDeps & { originals: FakeOriginals; moved: string[] } {
    const moved: string[] = [];
    return {
      logger: quietLogger(),
      originals: new FakeOriginals(found),
      redriver: {
        redrive: async (queueUrl, max) => {
          moved.push(`${queueUrl} ${max}`);
          return { deadLetterQueue: 'p-dlq', moved: 2, remaining: 0 };
        },
      },
      redriveQueues: { 'processor-queue': 'https://sqs/p-queue' },
      moved,
    };
  }

  it('reprocesses from the first place the original is found, keeping its file name', async () => {
    const d = deps([
      { place: 'quarantine', bucket: 'ingest', key: `quarantine/acme/${ASSET}/x.jpg` },
      { place: 'archive', bucket: 'archive', key: `originals/acme/${ASSET}/x.jpg` },
    ]);
    const result = await createInternalApi(d)(
      internalEvent('POST', '/internal/reprocess', { tenantId: 'acme', assetId: ASSET }),
    );
    expect(result.statusCode).toBe(202);
    expect(validate('reprocess-response/v1', bodyOf(result))).toMatchObject({ ok: true });
    expect(bodyOf(result)).toMatchObject({ from: 'quarantine', key: `uploads/acme/${ASSET}/x.jpg` });
    expect(d.originals.retriggered.map(([from, key]) => [from.place, key])).toEqual([
      ['quarantine', `uploads/acme/${ASSET}/x.jpg`],
    ]);
  });

  it('redrives a known queue, bounded by maxMessages (default 1000)', async () => {
    const d = deps();
    const api = createInternalApi(d);
    const result = await api(internalEvent('POST', '/internal/dlq/processor-queue/redrive'));
    expect(result.statusCode).toBe(200);
    expect(validate('redrive-response/v1', bodyOf(result))).toMatchObject({ ok: true });
    await api(internalEvent('POST', '/internal/dlq/processor-queue/redrive', { maxMessages: 5 }));
    expect(d.moved).toEqual(['https://sqs/p-queue 1000', 'https://sqs/p-queue 5']);
  });

  it.each([
    [
      'an unsigned call (no IAM caller)',
      () => internalEvent('POST', '/internal/reprocess', {}, false),
      403,
      'forbidden',
    ],
    ['an unknown endpoint', () => internalEvent('GET', '/internal/reprocess'), 404, 'not-found'],
    [
      'an unknown queue',
      () => internalEvent('POST', '/internal/dlq/__proto__/redrive'),
      404,
      'unknown-queue',
    ],
    [
      'a bad redrive body',
      () => internalEvent('POST', '/internal/dlq/processor-queue/redrive', { maxMessages: 0 }),
      400,
      'invalid-request',
    ],
    [
      'an asset with no original',
      () => internalEvent('POST', '/internal/reprocess', { tenantId: 'acme', assetId: ASSET }),
      404,
      'not-found',
    ],
    [
      'a reprocess body with a bad tenant',
      () => internalEvent('POST', '/internal/reprocess', { tenantId: 'A/B', assetId: ASSET }),
      400,
      'invalid-request',
    ],
  ])('refuses %s', async (_what, request, status, code) => {
    const result = await createInternalApi(deps())(request());
    expect(result.statusCode).toBe(status);
    expect(bodyOf(result).error.code).toBe(code);
  });
});

describe('configuration', () => {
  const base = { INGEST_BUCKET: 'i', PROCESSED_BUCKET: 'p', ARCHIVE_BUCKET: 'a' };

  it('reads the allowed content types, webhook sources and limits', () => {
    const config = readConfig({
      ...base,
      ALLOWED_CONTENT_TYPES: 'image/*, application/PDF',
      WEBHOOK_SOURCES: `{"shop":{"tenantId":"acme","secrets":["${SECRET}"]}}`,
      UPLOAD_MAX_BYTES: '100',
    });
    expect(config.allowedContentTypes.patterns).toEqual(['image/*', 'application/pdf']);
    expect(config.allowedContentTypes.allows('IMAGE/HEIC')).toBe(true);
    expect(config.allowedContentTypes.allows('application/pdfx')).toBe(false);
    expect(config.webhookSources.shop?.tenantId).toBe('acme');
    expect(config.uploadMaxBytes).toBe(100);
  });

  it.each([['*'], ['image'], ['*/png'], [' , '], ['image/*;q=1']])(
    'refuses ALLOWED_CONTENT_TYPES=%j',
    (value) => {
      expect(() => ContentTypePolicy.parse(value)).toThrow(ConfigError);
    },
  );

  it('allows everything only when told */*', () => {
    expect(ContentTypePolicy.parse('*/*').allows('application/x-anything')).toBe(true);
  });

  it('maps REDRIVE_QUEUE_<NAME> to logical queue names, and needs at least one', () => {
    expect(
      readInternalConfig({ ...base, REDRIVE_QUEUE_PROCESSOR_QUEUE: 'https://q/p' }).redriveQueues,
    ).toEqual({
      'processor-queue': 'https://q/p',
    });
    expect(() => readInternalConfig(base)).toThrow(/REDRIVE_QUEUE_/);
  });
});
