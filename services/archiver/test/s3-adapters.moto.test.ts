// The S3 adapters against moto 5.2.1: real CopyObject / UploadPartCopy / checksums / restores.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { createHash } from 'node:crypto';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { AssetManifest } from '@sluice/contracts';
import { createS3Client, type MotoServer, startMoto } from '@sluice/local';
import { archiveKey, createLogger, manifestKey, S3Objects, uploadKey } from '@sluice/runtime';
import { RecordingPublisher } from '@sluice/runtime/testing';
import { S3ArchiveStore } from '../src/adapters/s3-archive-store';
import { S3OriginalStore } from '../src/adapters/s3-original-store';
import { type ArchiveOriginalDeps, archiveOriginal } from '../src/app/archive-original';
import { describeOriginal, restoreOriginal } from '../src/app/original-access';
import type { ArchiveStore } from '../src/ports/archive-store';

const MIB = 1024 ** 2;
const INGEST = 'ingest';
const PROCESSED = 'processed';
const ARCHIVE = 'archive';

describe('S3 adapters on moto', () => {
  let moto: MotoServer;
  let s3: S3Client;
  const logger = createLogger('archiver-test');
  logger.setLogLevel('SILENT');

  beforeAll(async () => {
    moto = await startMoto();
    s3 = createS3Client({ endpoint: moto.endpoint });
    for (const bucket of [INGEST, PROCESSED, ARCHIVE])
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: ARCHIVE, VersioningConfiguration: { Status: 'Enabled' } }),
    );
  });

  afterAll(async () => {
    s3?.destroy();
    await moto?.stop();
  });

  /** An original in the ingest bucket and its manifest in the processed bucket, as the processor leaves them. */
  async function upload(fileName: string, body: Buffer) {
    const assetId = crypto.randomUUID();
    const location = { tenantId: 'acme', assetId, fileName };
    const key = uploadKey(location);
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: INGEST,
        Key: key,
        Body: body,
        ContentType: 'image/tiff',
        CacheControl: 'private, max-age=60',
        ContentDisposition: 'inline',
        Metadata: { 'original-name': fileName, uploader: 'jane' },
      }),
    );
    const manifest: AssetManifest = {
      assetId,
      tenantId: 'acme',
      source: { bucket: INGEST, key, size: body.length, eTag: put.ETag ?? '', sequencer: '0A', fileName },
      sha256: createHash('sha256').update(body).digest('hex'),
      detected: { mime: 'image/tiff', kind: 'image', mismatch: false },
      renditions: [],
      processedAt: '2026-01-01T00:00:00.000Z',
      processorVersion: 'test',
    };
    await s3.send(
      new PutObjectCommand({ Bucket: PROCESSED, Key: manifestKey(assetId), Body: JSON.stringify(manifest) }),
    );
    const event = {
      eventName: 'ObjectCreated:Put',
      eventTime: '2026-01-01T00:00:00.000Z',
      bucket: PROCESSED,
      key: manifestKey(assetId),
      sequencer: '0B',
    };
    return { assetId, key, target: archiveKey(location), manifest, event };
  }

  function deps(overrides: Partial<ArchiveOriginalDeps> = {}) {
    const events = new RecordingPublisher();
    const value: ArchiveOriginalDeps = {
      objects: new S3Objects(s3),
      archive: new S3ArchiveStore(s3),
      events,
      logger,
      archiveBucket: ARCHIVE,
      storageClass: 'GLACIER_IR',
      ...overrides,
    };
    return { deps: value, events };
  }

  const exists = (bucket: string, key: string) =>
    s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
      () => true,
      () => false,
    );

  it('copies into DEEP_ARCHIVE with metadata kept, verified by S3 SHA-256, then deletes', async () => {
    const body = Buffer.from('a small original');
    const { key, target, manifest, event } = await upload('scan one.tiff', body);
    const { deps: d, events } = deps({ storageClass: 'DEEP_ARCHIVE' });
    await expect(archiveOriginal(event, d)).resolves.toBe('succeeded');
    expect(await exists(INGEST, key)).toBe(false);
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: ARCHIVE, Key: target, ChecksumMode: 'ENABLED' }),
    );
    expect(head).toMatchObject({
      StorageClass: 'DEEP_ARCHIVE',
      ContentType: 'image/tiff',
      CacheControl: 'private, max-age=60',
      ContentDisposition: 'inline',
      Metadata: { 'original-name': 'scan one.tiff', uploader: 'jane' },
      ChecksumSHA256: Buffer.from(manifest.sha256, 'hex').toString('base64'),
    });
    // A DEEP_ARCHIVE object is not readable until restored.
    await expect(s3.send(new GetObjectCommand({ Bucket: ARCHIVE, Key: target }))).rejects.toMatchObject({
      name: 'InvalidObjectState',
    });
    expect(events.events[0]?.detail).toMatchObject({
      storageClass: 'DEEP_ARCHIVE',
      versionId: head.VersionId,
    });
  });

  it('copies a large original part by part (threshold lowered to 5 MiB), composite SHA-256 verified', async () => {
    const body = Buffer.alloc(12 * MIB + 123);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7) & 255;
    const { key, target, event } = await upload('big.tiff', body);
    const { deps: d, events } = deps({ multipartThresholdBytes: 5 * MIB, partSizeBytes: 5 * MIB });
    await expect(archiveOriginal(event, d)).resolves.toBe('succeeded');
    expect(await exists(INGEST, key)).toBe(false);
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: ARCHIVE, Key: target, ChecksumMode: 'ENABLED' }),
    );
    expect(head).toMatchObject({
      StorageClass: 'GLACIER_IR',
      ContentType: 'image/tiff',
      CacheControl: 'private, max-age=60',
      Metadata: { 'original-name': 'big.tiff', uploader: 'jane' },
      ChecksumType: 'COMPOSITE',
      ETag: expect.stringMatching(/-3"$/),
    });
    const copy = await s3.send(new GetObjectCommand({ Bucket: ARCHIVE, Key: target }));
    expect(
      Buffer.from(
        await (copy.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
      ).equals(body),
    ).toBe(true);
    expect((await s3.send(new ListMultipartUploadsCommand({ Bucket: ARCHIVE }))).Uploads ?? []).toEqual([]);
    expect(events.events.map((e) => e.type)).toEqual(['asset.archived']);
  });

  it('recovers a crash between a multipart copy and the delete with no second copy', async () => {
    const body = Buffer.alloc(6 * MIB, 9);
    const { key, target, event } = await upload('crash.tiff', body);
    let crash = true;
    const decorate = (store: ArchiveStore): ArchiveStore =>
      Object.assign(Object.create(store) as ArchiveStore, {
        delete: async (ref: { bucket: string; key: string }, ifMatch: string) => {
          if (crash) {
            crash = false;
            throw new Error('crash between copy and delete');
          }
          return store.delete(ref, ifMatch);
        },
      });
    const { deps: d } = deps({
      archive: decorate(new S3ArchiveStore(s3)),
      multipartThresholdBytes: 5 * MIB,
      partSizeBytes: 5 * MIB,
    });
    await expect(archiveOriginal(event, d)).rejects.toThrow('crash between copy and delete');
    expect(await exists(INGEST, key)).toBe(true);
    await expect(archiveOriginal(event, d)).resolves.toBe('succeeded');
    expect(await exists(INGEST, key)).toBe(false);
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: ARCHIVE, Prefix: target }));
    expect(versions.Versions ?? []).toHaveLength(1);
  });

  it('deletes an original only while its ETag is the one verified', async () => {
    const store = new S3ArchiveStore(s3);
    const ref = { bucket: INGEST, key: 'uploads/acme/x/replaced.txt' };
    const first = await s3.send(new PutObjectCommand({ Bucket: INGEST, Key: ref.key, Body: 'first' }));
    await s3.send(new PutObjectCommand({ Bucket: INGEST, Key: ref.key, Body: 'second' }));
    await expect(store.delete(ref, first.ETag ?? '')).resolves.toBe('changed');
    expect(await exists(INGEST, ref.key)).toBe(true);
    const current = await s3.send(new HeadObjectCommand({ Bucket: INGEST, Key: ref.key }));
    await expect(store.delete(ref, current.ETag ?? '')).resolves.toBe('deleted');
    await expect(store.delete(ref, current.ETag ?? '')).resolves.toBe('gone');
  });

  it('restores a DEEP_ARCHIVE original and serves it through a presigned GET once restored', async () => {
    const body = Buffer.from('cold bytes');
    const { manifest, event, target } = await upload('cold café.tiff', body);
    await archiveOriginal(event, deps({ storageClass: 'DEEP_ARCHIVE' }).deps);
    // moto completes a restore at once by default. 'manual' moves it on every `times` lookups of the
    // object (any HEAD or GET), from a first state whose x-amz-restore already reads as done: with
    // times 2 the lookups made before the request get it past that state at once.
    await fetch(`${moto.endpoint}/moto-api/state-manager/set-transition`, {
      method: 'POST',
      body: JSON.stringify({
        model_name: 's3::keyrestore',
        transition: { progression: 'manual', times: 2 },
      }),
    });
    const access = { store: new S3OriginalStore(s3), archiveBucket: ARCHIVE, downloadUrlTtlSeconds: 60 };

    await expect(describeOriginal(manifest, access)).resolves.toEqual({
      location: 'archive',
      availability: 'archived',
      storageClass: 'DEEP_ARCHIVE',
      size: body.length,
    });
    await expect(restoreOriginal(manifest, { tier: 'Expedited' }, access)).rejects.toThrow(
      /not available for DEEP_ARCHIVE/,
    );
    const requested = await restoreOriginal(manifest, { tier: 'Bulk', days: 2 }, access);
    // moto moves a restore on as it counts lookups of the object, so it may be done already.
    expect(requested.restoreRequested).toBe('accepted');
    expect(['restoring', 'restored']).toContain(requested.availability);
    if (requested.availability === 'restoring') expect(requested.download).toBeUndefined();
    // A second request: S3 answers 409 while it runs (moto 200); either way the answer matches the object.
    const again = await restoreOriginal(manifest, { tier: 'Bulk', days: 2 }, access);
    expect(again.restoreRequested).toBe(
      again.availability === 'restoring' ? 'in-progress' : 'already-restored',
    );
    let status = requested;
    for (let i = 0; i < 40 && status.availability !== 'restored'; i++)
      status = await describeOriginal(manifest, access);
    expect(status).toMatchObject({
      location: 'archive',
      availability: 'restored',
      storageClass: 'DEEP_ARCHIVE',
    });
    expect(Date.parse(status.restoreExpiresAt ?? '')).toBeGreaterThan(Date.now() + 24 * 3600 * 1000);
    const response = await fetch(status.download?.url ?? '');
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(body);
    // Served as an attachment under its (UTF-8) file name, the exact version archived.
    const url = new URL(status.download?.url ?? '');
    expect(url.pathname).toBe(`/${ARCHIVE}/${encodeURI(target)}`);
    expect(url.searchParams.get('response-content-disposition')).toBe(
      `attachment; filename="cold caf_.tiff"; filename*=UTF-8''cold%20caf%C3%A9.tiff`,
    );
    await fetch(`${moto.endpoint}/moto-api/state-manager/unset-transition`, {
      method: 'POST',
      body: JSON.stringify({ model_name: 's3::keyrestore' }),
    });
  });

  it('answers not-needed for an original readable without a restore', async () => {
    const { manifest, event } = await upload('instant.tiff', Buffer.from('instant'));
    await archiveOriginal(event, deps({ storageClass: 'GLACIER_IR' }).deps);
    const access = { store: new S3OriginalStore(s3), archiveBucket: ARCHIVE };
    const status = await restoreOriginal(manifest, {}, access);
    expect(status).toMatchObject({
      availability: 'available',
      storageClass: 'GLACIER_IR',
      restoreRequested: 'not-needed',
    });
    expect((await fetch(status.download?.url ?? '')).status).toBe(200);
  });
});
