import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type AssetManifest, validate } from '@sluice/contracts';
import { archiveKey, manifestKey } from '@sluice/runtime';
import { InMemoryObjectStore } from '@sluice/runtime/testing';
import { type ApiDeps, createApi } from '../src/api';
import type { HttpEvent } from '../src/http';
import { allowedTypes, OTHER_TENANT, quietLogger } from './support/deps';
import { FakeMultipartUploads } from './support/fake-multipart';
import { FakeOriginalStore } from './support/fake-originals';

const NOW = new Date('2026-12-04T21:00:00.000Z');
const example = JSON.parse(
  readFileSync(
    resolve(__dirname, '../../../contracts/examples/asset-manifest/v1/valid/photo-full.json'),
    'utf8',
  ),
) as AssetManifest;
const manifest: AssetManifest = example;
const TENANT = manifest.tenantId;
const ASSET = manifest.assetId;
const archived = {
  bucket: 'archive',
  key: archiveKey({ tenantId: TENANT, assetId: ASSET, fileName: manifest.source.fileName }),
};
const ingested = { bucket: manifest.source.bucket, key: manifest.source.key };

function event(routeKey: string, init: { tenant?: string; id?: string; body?: string } = {}): HttpEvent {
  const [method = 'GET', path = '/'] = routeKey.split(' ');
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    pathParameters: { id: init.id ?? ASSET },
    requestContext: {
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
      authorizer: { jwt: { claims: { tenant_id: init.tenant ?? TENANT, sub: 'u' }, scopes: null } },
    },
    ...(init.body !== undefined ? { body: init.body } : {}),
  } as unknown as HttpEvent;
}

async function setup(options: { manifest?: boolean } = {}) {
  const objects = new InMemoryObjectStore();
  const originals = new FakeOriginalStore();
  if (options.manifest !== false) await objects.putJson('processed', manifestKey(ASSET), manifest);
  const deps: ApiDeps = {
    logger: quietLogger(),
    signer: { presignPost: async () => ({ url: 'https://s3.example/ingest', fields: { key: 'k' } }) },
    multipart: new FakeMultipartUploads(),
    objects,
    urls: { presignGet: async (bucket, key) => `https://s3.example/${bucket}/${key}` },
    originals,
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
    webhookSources: {},
    webhookToleranceSeconds: 300,
    webhookMaxBytes: 1024,
    now: () => NOW,
  };
  const api = createApi(deps);
  const call = async (e: HttpEvent) => {
    const result = await api(e);
    return { status: result.statusCode, body: JSON.parse(result.body ?? 'null') };
  };
  const status = async () => {
    const answer = await call(event('GET /assets/{id}'));
    expect(answer.status).toBe(200);
    expect(validate('asset-status/v1', answer.body).ok).toBe(true);
    return answer.body.original;
  };
  const restore = (body?: string, init: { tenant?: string; id?: string } = {}) =>
    call(event('POST /assets/{id}/restore', { ...init, ...(body !== undefined ? { body } : {}) }));
  return { objects, originals, call, status, restore };
}

describe('GET /assets/{id}: the original', () => {
  it('reads as available in the ingest bucket before archiving, with a download URL', async () => {
    const { originals, status } = await setup();
    originals.put(ingested, { storageClass: 'STANDARD', size: 42, eTag: manifest.source.eTag });
    expect(await status()).toEqual({
      location: 'ingest',
      availability: 'available',
      storageClass: 'STANDARD',
      size: 42,
      download: {
        url: expect.stringContaining('X-Amz-Expires=300'),
        expiresAt: '2026-12-04T21:05:00.000Z',
      },
    });
  });

  it('reads as archived in DEEP_ARCHIVE, without a download URL', async () => {
    const { originals, status } = await setup();
    originals.put(archived, { storageClass: 'DEEP_ARCHIVE', size: 42 });
    expect(await status()).toEqual({
      location: 'archive',
      availability: 'archived',
      storageClass: 'DEEP_ARCHIVE',
      size: 42,
    });
  });

  it('reads as missing when the original is in neither bucket', async () => {
    const { status } = await setup();
    expect(await status()).toEqual({ location: 'missing', availability: 'missing' });
  });
});

describe('POST /assets/{id}/restore', () => {
  it('requests a restore (202), then the status shows it running, then restored with a download URL', async () => {
    const { originals, status, restore } = await setup();
    originals.put(archived, { storageClass: 'DEEP_ARCHIVE', size: 42 });
    const answer = await restore(JSON.stringify({ tier: 'Bulk', days: 3 }));
    expect(answer.status).toBe(202);
    expect(validate('original-status/v1', answer.body).ok).toBe(true);
    expect(answer.body).toEqual({
      location: 'archive',
      availability: 'restoring',
      storageClass: 'DEEP_ARCHIVE',
      size: 42,
      restoreRequested: 'accepted',
    });
    expect(originals.restores).toEqual([{ ref: archived, tier: 'Bulk', days: 3 }]);
    expect((await status()).availability).toBe('restoring');

    // Asking again while it runs is safe.
    expect((await restore(JSON.stringify({ tier: 'Bulk', days: 3 }))).body.restoreRequested).toBe(
      'in-progress',
    );

    originals.finishRestore(archived, '2026-12-07T00:00:00.000Z');
    expect(await status()).toEqual({
      location: 'archive',
      availability: 'restored',
      storageClass: 'DEEP_ARCHIVE',
      size: 42,
      restoreExpiresAt: '2026-12-07T00:00:00.000Z',
      download: { url: expect.stringMatching(/^https:\/\/archive\./), expiresAt: '2026-12-04T21:05:00.000Z' },
    });
  });

  it('defaults to Standard for 7 days without a body', async () => {
    const { originals, restore } = await setup();
    originals.put(archived, { storageClass: 'GLACIER', size: 42 });
    expect((await restore()).status).toBe(202);
    expect(originals.restores).toEqual([{ ref: archived, tier: 'Standard', days: 7 }]);
  });

  it('needs no restore for an original readable now', async () => {
    const { originals, restore } = await setup();
    originals.put(archived, { storageClass: 'GLACIER_IR', size: 42 });
    const answer = await restore('{}');
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ availability: 'available', restoreRequested: 'not-needed' });
    expect(originals.restores).toEqual([]);
  });

  it.each([
    ['days out of range', '{"days":0}', 'invalid-request'],
    ['an unknown tier', '{"tier":"Fast"}', 'invalid-request'],
    ['an unknown property', '{"hours":3}', 'invalid-request'],
    ['a body that is not an object', '[]', 'invalid-request'],
    ['a body that is not JSON', '{days', 'invalid-json'],
  ])('refuses %s with 400 %s', async (_name, body, code) => {
    const { originals, restore } = await setup();
    originals.put(archived, { storageClass: 'DEEP_ARCHIVE', size: 42 });
    const answer = await restore(body);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe(code);
    expect(validate('api-error/v1', answer.body).ok).toBe(true);
    expect(originals.restores).toEqual([]);
  });

  it("refuses a tier the storage class does not offer with 400 and the archiver's code", async () => {
    const { originals, restore } = await setup();
    originals.put(archived, { storageClass: 'DEEP_ARCHIVE', size: 42 });
    const answer = await restore('{"tier":"Expedited"}');
    expect(answer).toEqual({
      status: 400,
      body: { error: { code: 'tier-unavailable', message: expect.stringContaining('DEEP_ARCHIVE') } },
    });
  });

  it("answers another tenant's asset, an asset without a manifest and a missing original with 404", async () => {
    const withManifest = await setup();
    withManifest.originals.put(archived, { storageClass: 'DEEP_ARCHIVE', size: 42 });
    const theirs = await withManifest.restore('{}', { tenant: OTHER_TENANT });
    expect(theirs).toEqual({
      status: 404,
      body: { error: { code: 'not-found', message: `No asset ${ASSET}` } },
    });
    expect(withManifest.originals.restores).toEqual([]);

    const noManifest = await setup({ manifest: false });
    expect((await noManifest.restore('{}')).body.error.code).toBe('not-found');

    const noOriginal = await setup();
    const missing = await noOriginal.restore('{}');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not-found');
  });

  it('refuses an id that is not a UUID with 400', async () => {
    const { restore } = await setup();
    expect((await restore('{}', { id: 'nope' })).body.error.code).toBe('invalid-asset-id');
  });
});
