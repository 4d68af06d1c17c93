import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { S3AssetCatalog } from '../src/adapters/s3-asset-catalog';
import { S3OriginalSource } from '../src/adapters/s3-originals';
import { S3VariantStore } from '../src/adapters/s3-variant-store';
import { SecretsManagerSigningKeys } from '../src/adapters/signing-keys';
import { OriginalUnavailableError } from '../src/ports/originals';
import { ASSET_ID, logger, manifest } from './support';

const s3 = mockClient(S3Client);
const secrets = mockClient(SecretsManagerClient);

function s3Error(name: string, status: number, headers: Record<string, string> = {}): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
    $response: { statusCode: status, headers, body: undefined } as never,
    message: name,
  });
}

/** A GetObject body as the SDK hands it out: a Readable with the transform helpers. */
function body(text: string) {
  const bytes = Buffer.from(text);
  return Object.assign(Readable.from([bytes]), {
    transformToByteArray: async () => new Uint8Array(bytes),
    transformToString: async () => text,
  }) as never;
}

beforeEach(() => {
  s3.reset();
  secrets.reset();
});

describe('S3VariantStore', () => {
  const store = new S3VariantStore(new S3Client({ region: 'us-east-1' }), 'processed');

  it('streams a stored variant, passing a single entity tag to S3 as If-None-Match', async () => {
    s3.on(GetObjectCommand).resolves({
      ETag: '"abc"',
      ContentType: 'image/webp',
      ContentLength: 5,
      Body: body('bytes'),
    });
    const found = await store.open('renditions/a/thumb.webp', { head: false, ifNoneMatch: '"old"' });
    expect(s3.commandCalls(GetObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'processed',
      Key: 'renditions/a/thumb.webp',
      IfNoneMatch: '"old"',
    });
    expect(found).toMatchObject({ eTag: '"abc"', contentType: 'image/webp', contentLength: 5 });
    const chunks: Buffer[] = [];
    for await (const chunk of (found as { body: Readable }).body) chunks.push(Buffer.from(chunk));
    expect(Buffer.concat(chunks).toString()).toBe('bytes');
  });

  it("turns S3's 304 into notModified with the stored entity tag", async () => {
    s3.on(GetObjectCommand).rejects(s3Error('NotModified', 304, { etag: '"abc"' }));
    expect(await store.open('k', { head: false, ifNoneMatch: '"abc"' })).toEqual({
      notModified: true,
      eTag: '"abc"',
    });
  });

  it('compares lists and weak tags itself, and answers HEAD without a body', async () => {
    s3.on(HeadObjectCommand).resolves({ ETag: '"abc"', ContentType: 'image/png', ContentLength: 9 });
    expect(await store.open('k', { head: true, ifNoneMatch: 'W/"zzz", W/"abc"' })).toEqual({
      notModified: true,
      eTag: '"abc"',
    });
    expect(s3.commandCalls(HeadObjectCommand)[0]?.args[0].input.IfNoneMatch).toBeUndefined();
    expect(await store.open('k', { head: true })).toEqual({
      eTag: '"abc"',
      contentType: 'image/png',
      contentLength: 9,
      body: undefined,
    });
  });

  it('treats a missing variant, or one in an archive tier, as a miss', async () => {
    s3.on(GetObjectCommand, { Key: 'missing' }).rejects(s3Error('NoSuchKey', 404));
    s3.on(GetObjectCommand, { Key: 'cold' }).rejects(s3Error('InvalidObjectState', 403));
    s3.on(GetObjectCommand, { Key: 'denied' }).rejects(s3Error('AccessDenied', 403));
    expect(await store.open('missing', { head: false })).toBeNull();
    expect(await store.open('cold', { head: false })).toBeNull();
    await expect(store.open('denied', { head: false })).rejects.toThrow('AccessDenied');
  });

  it('writes create-only and reports a lost race as null', async () => {
    s3.on(PutObjectCommand, { Key: 'new' }).resolves({ ETag: '"e1"' });
    s3.on(PutObjectCommand, { Key: 'taken' }).rejects(s3Error('PreconditionFailed', 412));
    const variant = {
      body: Buffer.from('x'),
      contentType: 'image/webp',
      cacheControl: 'public, max-age=1',
      metadata: { 'source-sequencer': '01' },
    };
    expect(await store.putIfAbsent({ ...variant, key: 'new' })).toEqual({ eTag: '"e1"' });
    expect(await store.putIfAbsent({ ...variant, key: 'taken' })).toBeNull();
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'processed',
      Key: 'new',
      Body: variant.body,
      ContentType: 'image/webp',
      CacheControl: 'public, max-age=1',
      Metadata: { 'source-sequencer': '01' },
      IfNoneMatch: '*',
    });
  });
});

describe('S3OriginalSource', () => {
  const source = new S3OriginalSource(
    new S3Client({ region: 'us-east-1' }),
    { ingest: 'ingest', archive: 'archive' },
    1000,
  );
  const m = manifest();
  const archived = `originals/tenant-acme/${ASSET_ID}/photo.jpg`;

  it('reads the ingest original pinned to the ETag the manifest was made from', async () => {
    s3.on(GetObjectCommand).resolves({ ContentLength: 3, Body: body('abc') });
    expect(await source.read(m)).toEqual({ bytes: Buffer.from('abc'), from: 'ingest' });
    expect(s3.commandCalls(GetObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'ingest',
      Key: m.source.key,
      IfMatch: `"${m.source.eTag}"`,
    });
  });

  it('reports a replaced original as changed', async () => {
    s3.on(GetObjectCommand).rejects(s3Error('PreconditionFailed', 412));
    await expect(source.read(m)).rejects.toMatchObject({ reason: 'changed' });
  });

  it('falls back to the archive once the original left the ingest bucket', async () => {
    s3.on(GetObjectCommand, { Bucket: 'ingest' }).rejects(s3Error('NoSuchKey', 404));
    s3.on(GetObjectCommand, { Bucket: 'archive', Key: archived }).resolves({
      ContentLength: 3,
      Body: body('old'),
    });
    expect(await source.read(m)).toEqual({ bytes: Buffer.from('old'), from: 'archive' });
  });

  it('reports cold storage with its class, and a restore under way', async () => {
    s3.on(GetObjectCommand, { Bucket: 'ingest' }).rejects(s3Error('NoSuchKey', 404));
    s3.on(GetObjectCommand, { Bucket: 'archive' }).rejects(s3Error('InvalidObjectState', 403));
    s3.on(HeadObjectCommand).resolvesOnce({ StorageClass: 'DEEP_ARCHIVE' }).resolvesOnce({
      StorageClass: 'GLACIER',
      Restore: 'ongoing-request="true"',
    });
    const cold = await source.read(m).catch((error: unknown) => error);
    expect(cold).toBeInstanceOf(OriginalUnavailableError);
    expect(cold).toMatchObject({
      reason: 'archived',
      location: { bucket: 'archive', key: archived, storageClass: 'DEEP_ARCHIVE' },
    });
    await expect(source.read(m)).rejects.toMatchObject({ reason: 'restoring' });
  });

  it('reports an original found nowhere as missing, and refuses one over the size limit unread', async () => {
    s3.on(GetObjectCommand).rejects(s3Error('NoSuchKey', 404));
    await expect(source.read(m)).rejects.toMatchObject({ reason: 'missing' });
    s3.reset();
    const big = body('x');
    const destroy = jest.spyOn(big, 'destroy');
    s3.on(GetObjectCommand).resolves({ ContentLength: 5000, Body: big });
    await expect(source.read(m)).rejects.toMatchObject({ reason: 'too-large' });
    expect(destroy).toHaveBeenCalled();
  });
});

describe('S3AssetCatalog', () => {
  const catalog = new S3AssetCatalog(new S3Client({ region: 'us-east-1' }), 'processed');

  it('returns validated manifests, null for none, and fails on an invalid one', async () => {
    s3.on(GetObjectCommand, { Key: `manifests/${ASSET_ID}.json` }).resolves({
      Body: body(JSON.stringify(manifest())),
    });
    s3.on(GetObjectCommand, { Key: 'manifests/missing.json' }).rejects(s3Error('NoSuchKey', 404));
    s3.on(GetObjectCommand, { Key: 'manifests/bad.json' }).resolves({ Body: body('{"assetId":1}') });
    expect(await catalog.manifest(ASSET_ID)).toEqual(manifest());
    expect(await catalog.manifest('missing')).toBeNull();
    await expect(catalog.manifest('bad')).rejects.toThrow(/manifests\/bad\.json: .*assetId/);
  });
});

describe('SecretsManagerSigningKeys', () => {
  const doc = (current: string) => ({
    SecretString: JSON.stringify({
      current,
      keys: { k1: Buffer.alloc(32, 1).toString('base64url'), k2: Buffer.alloc(32, 2).toString('base64url') },
    }),
  });

  it('reads the secret once per TTL, so a rotation lands within it', async () => {
    let now = 0;
    secrets.on(GetSecretValueCommand).resolvesOnce(doc('k1')).resolvesOnce(doc('k2'));
    const keys = new SecretsManagerSigningKeys(
      new SecretsManagerClient({}),
      'sluice/keys',
      1000,
      logger,
      () => now,
    );
    expect((await keys.keyring())?.current).toBe('k1');
    now = 999;
    expect((await keys.keyring())?.current).toBe('k1');
    now = 1000;
    expect((await keys.keyring())?.current).toBe('k2');
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    expect(secrets.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({
      SecretId: 'sluice/keys',
    });
  });

  it('keeps the last keys through an outage, and has none when the secret does not exist', async () => {
    let now = 0;
    secrets.on(GetSecretValueCommand).resolvesOnce(doc('k1')).rejectsOnce(new Error('throttled'));
    const keys = new SecretsManagerSigningKeys(new SecretsManagerClient({}), 'id', 10, logger, () => now);
    await keys.keyring();
    now = 50;
    expect((await keys.keyring())?.current).toBe('k1');

    secrets.reset();
    const notFound = Object.assign(new Error('no such secret'), { name: 'ResourceNotFoundException' });
    secrets.on(GetSecretValueCommand).rejects(notFound);
    let later = 0;
    const none = new SecretsManagerSigningKeys(
      new SecretsManagerClient({}),
      'id',
      300_000,
      logger,
      () => later,
    );
    expect(await none.keyring()).toBeNull();
    // A missing secret is looked for again within 30 s (the first rotation creates it), not the whole TTL.
    secrets.reset();
    secrets.on(GetSecretValueCommand).resolves(doc('k1'));
    later = 29_999;
    expect(await none.keyring()).toBeNull();
    later = 30_000;
    expect((await none.keyring())?.current).toBe('k1');
  });

  it('shares one read between concurrent first requests', async () => {
    secrets.on(GetSecretValueCommand).resolves(doc('k2'));
    const keys = new SecretsManagerSigningKeys(new SecretsManagerClient({}), 'id', 1000, logger);
    const rings = await Promise.all([keys.keyring(), keys.keyring(), keys.keyring()]);
    expect(rings.map((r) => r?.current)).toEqual(['k2', 'k2', 'k2']);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });
});
