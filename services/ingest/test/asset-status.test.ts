import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type AssetManifest, validate } from '@sluice/contracts';
import {
  archiveKey,
  indexDocumentKey,
  manifestKey,
  quarantineKey,
  rejectionKey,
  uploadKey,
} from '@sluice/runtime';
import { InMemoryObjectStore } from '@sluice/runtime/testing';
import { type GetAssetStatusDeps, getAssetStatus } from '../src/app/get-asset-status';
import { HttpError } from '../src/domain/http-error';

const ASSET = '3f6c1a52-9b7e-4d0a-8c21-5e4f7d2b9a10';
const TENANT = 'tenant-acme';
const NOW = new Date('2026-12-04T21:00:00.000Z');
const location = { tenantId: TENANT, assetId: ASSET, fileName: 'café übersicht 2024.jpg' };
const manifest = JSON.parse(
  readFileSync(
    resolve(__dirname, '../../../contracts/examples/asset-manifest/v1/valid/photo-full.json'),
    'utf8',
  ),
) as AssetManifest;

function setup() {
  const objects = new InMemoryObjectStore();
  const signed: string[] = [];
  const deps: GetAssetStatusDeps = {
    objects,
    urls: {
      presignGet: async (bucket, key, ttl) => {
        signed.push(key);
        return `https://${bucket}.s3.amazonaws.com/${key}?X-Amz-Expires=${ttl}`;
      },
    },
    ingestBucket: 'ingest',
    processedBucket: 'processed',
    archiveBucket: 'archive',
    renditionUrlTtlSeconds: 300,
    now: () => NOW,
  };
  return { objects, deps, signed };
}

const rejection = (rejectedAt: string) => ({
  assetId: ASSET,
  tenantId: TENANT,
  reason: 'undecodable-image',
  message: 'Input buffer has corrupt header',
  stage: 'process',
  rejectedAt,
  sourceKey: uploadKey(location),
  quarantineKey: quarantineKey(location),
});

describe('GET /assets/{id} (getAssetStatus)', () => {
  it('says uploaded while the original waits for processing, with its name, type and size', async () => {
    const { objects, deps } = setup();
    objects.seed('ingest', uploadKey(location), Buffer.alloc(42), 'image/jpeg');
    const status = await getAssetStatus(TENANT, ASSET, deps);
    expect(validate('asset-status/v1', status).ok).toBe(true);
    expect(status).toEqual({
      assetId: ASSET,
      tenantId: TENANT,
      state: 'uploaded',
      stages: { uploaded: true, processed: false, indexed: false, archived: false },
      fileName: location.fileName,
      contentType: 'image/jpeg',
      size: 42,
      renditions: [],
    });
  });

  it('walks the stages: processed, indexed, archived, with a short-lived URL per rendition', async () => {
    const { objects, deps, signed } = setup();
    objects.seed('ingest', uploadKey(location), Buffer.alloc(42), 'image/jpeg');
    await objects.putJson('processed', manifestKey(ASSET), manifest);
    expect((await getAssetStatus(TENANT, ASSET, deps)).state).toBe('processed');
    await objects.putJson('processed', indexDocumentKey(TENANT, ASSET), {});
    expect((await getAssetStatus(TENANT, ASSET, deps)).state).toBe('indexed');
    objects.seed('archive', archiveKey(location), Buffer.alloc(42));
    await objects.delete('ingest', uploadKey(location));
    signed.length = 0;
    const status = await getAssetStatus(TENANT, ASSET, deps);
    expect(validate('asset-status/v1', status).ok).toBe(true);
    expect(status).toMatchObject({
      state: 'archived',
      stages: { uploaded: true, processed: true, indexed: true, archived: true },
      sha256: manifest.sha256,
      detected: { mime: 'image/jpeg', kind: 'image' },
      image: { width: 4032, height: 3024, format: 'jpeg' },
      size: manifest.source.size,
    });
    expect(status.renditions.map((r) => [r.preset, r.format, r.expiresAt])).toEqual([
      ['thumb', 'webp', '2026-12-04T21:05:00.000Z'],
      ['medium', 'webp', '2026-12-04T21:05:00.000Z'],
      ['large', 'jpeg', '2026-12-04T21:05:00.000Z'],
    ]);
    expect(signed).toEqual(manifest.renditions.map((r) => r.key));
    expect(status.renditions[0]?.url).toContain('X-Amz-Expires=300');
  });

  it('says rejected with the reason from the rejection record, and no renditions', async () => {
    const { objects, deps } = setup();
    objects.seed('ingest', quarantineKey(location), Buffer.alloc(42), 'image/jpeg');
    await objects.putJson('processed', rejectionKey(ASSET), rejection('2026-12-04T20:00:00.000Z'));
    const status = await getAssetStatus(TENANT, ASSET, deps);
    expect(validate('asset-status/v1', status).ok).toBe(true);
    expect(status).toMatchObject({
      state: 'rejected',
      stages: { uploaded: true, processed: false },
      rejection: { reason: 'undecodable-image', stage: 'process', rejectedAt: '2026-12-04T20:00:00.000Z' },
      renditions: [],
    });
  });

  it('still says rejected for a quarantined original without a record', async () => {
    const { objects, deps } = setup();
    objects.seed('ingest', quarantineKey(location), Buffer.alloc(1));
    expect(await getAssetStatus(TENANT, ASSET, deps)).toMatchObject({
      state: 'rejected',
      rejection: { reason: 'rejected' },
    });
  });

  it('lets a newer manifest outrank an older rejection (a reprocess that succeeded), and the other way round', async () => {
    const { objects, deps } = setup();
    objects.seed('ingest', quarantineKey(location), Buffer.alloc(1));
    await objects.putJson('processed', manifestKey(ASSET), manifest); // processed 2026-12-04T20:11:17Z
    await objects.putJson('processed', rejectionKey(ASSET), rejection('2026-12-04T20:00:00.000Z'));
    expect((await getAssetStatus(TENANT, ASSET, deps)).state).toBe('processed');
    await objects.putJson('processed', rejectionKey(ASSET), rejection('2026-12-04T20:30:00.000Z'));
    expect((await getAssetStatus(TENANT, ASSET, deps)).state).toBe('rejected');
  });

  it("answers another tenant's asset exactly like a missing one", async () => {
    const { objects, deps } = setup();
    await objects.putJson('processed', manifestKey(ASSET), manifest);
    await objects.putJson('processed', rejectionKey(ASSET), rejection('2026-12-04T20:00:00.000Z'));
    objects.seed('ingest', uploadKey({ ...location, tenantId: TENANT }), Buffer.alloc(1));
    const theirs = await getAssetStatus('globex', ASSET, deps).catch((e: unknown) => e);
    const missing = await getAssetStatus('globex', '00000000-0000-4000-8000-000000000000', deps).catch(
      (e: unknown) => e,
    );
    expect(theirs).toBeInstanceOf(HttpError);
    expect(theirs).toMatchObject({ statusCode: 404, code: 'not-found' });
    expect(missing).toMatchObject({ statusCode: 404, code: 'not-found' });
  });

  it('refuses an id that is not a UUID with 400', async () => {
    const { deps } = setup();
    await expect(getAssetStatus(TENANT, '../manifests/x', deps)).rejects.toMatchObject({
      statusCode: 400,
      code: 'invalid-asset-id',
    });
  });
});
