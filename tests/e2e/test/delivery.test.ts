import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { topology } from '@sluice/contracts';
import { type LocalStack, startStack, type TopologyLike } from '@sluice/local';
import { manifestKey, renditionKey, uploadKey } from '@sluice/runtime';
import sharp from 'sharp';
import { awsClients, eventually, fixture, objectExists } from './support';

/*
 * Delivery through the local stack: the processor makes renditions and manifests from real uploads;
 * the delivery function URL (invoke mode RESPONSE_STREAM, served by the local function host as Lambda
 * serves it) answers preset and signed URLs from storage, or renders, stores and streams them.
 * Signed URLs are made here from the documented scheme, independently of the service's own code.
 */

const TENANT = 'e2e-delivery';
const KID = 'e2e-key';
const KEY = randomBytes(32);
const CHROME_ACCEPT = 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8';

/** The topology with the delivery service given inline signing keys instead of the secret. */
function testTopology(): TopologyLike {
  const delivery = topology.services.delivery;
  if (!delivery) throw new Error('The topology has no delivery service');
  const { DELIVERY_SIGNING_KEYS_SECRET_ID: _secret, ...environment } = delivery.environment;
  const keys = JSON.stringify({ current: KID, keys: { [KID]: KEY.toString('base64url') } });
  return {
    ...topology,
    services: {
      ...topology.services,
      delivery: { ...delivery, environment: { ...environment, DELIVERY_SIGNING_KEYS: { value: keys } } },
    },
  };
}

const rfc3986 = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** SLUICE-HMAC-SHA256 over the path and the sorted, encoded parameters (all but sig). */
function signedPath(assetId: string, params: Record<string, string>, key = KEY, kid = KID): string {
  const path = `/v/${assetId}`;
  const all: Record<string, string> = { ...params, kid };
  const canonical = Object.keys(all)
    .sort()
    .map((name) => `${rfc3986(name)}=${rfc3986(all[name] as string)}`)
    .join('&');
  const sig = createHmac('sha256', key)
    .update(`SLUICE-HMAC-SHA256\n${path}\n${canonical}`)
    .digest('base64url');
  return `${path}?${canonical}&sig=${sig}`;
}

const inAnHour = () => String(Math.floor(Date.now() / 1000) + 3600);

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw GET (node:http, so transfer-encoding and content-length are seen as sent). */
function get(base: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.setTimeout(60_000, () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

const errorOf = (answer: Answer) =>
  JSON.parse(answer.body.toString('utf8')).error as { code: string; message: string };

describe('delivery on the local stack', () => {
  let stack: LocalStack;
  let aws: ReturnType<typeof awsClients>;
  let base: string;
  let buckets: { ingest: string; processed: string; archive: string };
  /** A photo, processed: EXIF orientation 6, 1200x1800 stored, 1800x1200 displayed. */
  let photo: string;
  /** Random noise, processed: no codec compresses it, so a PNG of it is large. */
  let noise: string;
  const NOISE_SIZE = 1800;

  async function uploadAndProcess(fileName: string, body: Buffer, contentType: string): Promise<string> {
    const assetId = randomUUID();
    await aws.s3.send(
      new PutObjectCommand({
        Bucket: buckets.ingest,
        Key: uploadKey({ tenantId: TENANT, assetId, fileName }),
        Body: body,
        ContentType: contentType,
      }),
    );
    await eventually(
      `the manifest of ${fileName}`,
      async () => ((await objectExists(aws.s3, buckets.processed, manifestKey(assetId))) ? true : undefined),
      { timeoutMs: 90_000 },
    );
    return assetId;
  }

  async function stored(key: string): Promise<Buffer> {
    const out = await aws.s3.send(new GetObjectCommand({ Bucket: buckets.processed, Key: key }));
    return Buffer.from(
      await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    );
  }

  async function variantKeys(assetId: string): Promise<string[]> {
    const out = await aws.s3.send(
      new ListObjectsV2Command({ Bucket: buckets.processed, Prefix: `variants/${assetId}/` }),
    );
    return (out.Contents ?? []).map((item) => item.Key as string);
  }

  beforeAll(async () => {
    stack = await startStack({
      stateFile: false,
      namePrefix: 'sluice-e2e-delivery',
      services: ['processor', 'delivery'],
      topology: testTopology(),
      webRoot: false,
    });
    aws = awsClients(stack.awsEndpoint);
    base = stack.functionUrls.delivery as string;
    buckets = stack.resources.buckets as typeof buckets;
    const pixels = randomBytes(NOISE_SIZE * NOISE_SIZE * 3);
    const noisePng = await sharp(pixels, { raw: { width: NOISE_SIZE, height: NOISE_SIZE, channels: 3 } })
      .png({ compressionLevel: 1 })
      .toBuffer();
    [photo, noise] = await Promise.all([
      uploadAndProcess('photo.jpg', fixture('jpeg/orient-6.jpg'), 'image/jpeg'),
      uploadAndProcess('noise.png', noisePng, 'image/png'),
    ]);
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('serves a rendition the processor made, byte for byte, from storage', async () => {
    const answer = await get(base, `/v/${photo}/thumb.webp`);
    expect(answer.status).toBe(200);
    expect(answer.headers).toMatchObject({
      'content-type': 'image/webp',
      'cache-control': 'public, max-age=31536000, immutable',
      'x-sluice-variant': 'stored',
    });
    expect(answer.body.equals(await stored(renditionKey(photo, 'thumb', 'webp')))).toBe(true);
  });

  it('renders a missing rendition, stores it, then serves it from storage, with 304 on its ETag', async () => {
    const key = renditionKey(photo, 'medium', 'jpeg');
    await aws.s3.send(new DeleteObjectCommand({ Bucket: buckets.processed, Key: key }));

    const first = await get(base, `/v/${photo}/medium.jpeg`);
    expect(first.status).toBe(200);
    expect(first.headers['x-sluice-variant']).toBe('rendered');
    const meta = await sharp(first.body).metadata();
    // Displayed 1800x1200 (orientation applied), 800 wide; no EXIF left.
    expect([meta.format, meta.width, meta.height, meta.exif]).toEqual(['jpeg', 800, 533, undefined]);
    const head = await aws.s3.send(new HeadObjectCommand({ Bucket: buckets.processed, Key: key }));
    expect(head.ETag).toBe(first.headers.etag);
    expect(head.Metadata?.['source-sequencer']).toMatch(/^[0-9A-F]+$/);
    expect(first.body.equals(await stored(key))).toBe(true);

    const second = await get(base, `/v/${photo}/medium.jpeg`);
    expect(second.headers['x-sluice-variant']).toBe('stored');
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(second.body.equals(first.body)).toBe(true);

    const conditional = await get(base, `/v/${photo}/medium.jpeg`, {
      'if-none-match': first.headers.etag as string,
    });
    expect(conditional.status).toBe(304);
    expect(conditional.body.length).toBe(0);
    expect(conditional.headers.etag).toBe(first.headers.etag);
  });

  it('picks AVIF for format=auto when the browser takes it, and says it varies on Accept', async () => {
    const avif = await get(base, `/v/${photo}/thumb.auto`, { accept: CHROME_ACCEPT });
    expect(avif.status).toBe(200);
    expect(avif.headers['content-type']).toBe('image/avif');
    expect(avif.headers.vary).toBe('Accept');
    const jpeg = await get(base, `/v/${photo}/thumb.auto`, { accept: 'image/png,image/*;q=0.8,*/*;q=0.5' });
    expect(jpeg.headers['content-type']).toBe('image/jpeg');
    expect((await sharp(jpeg.body).metadata()).format).toBe('jpeg');
  });

  it('renders a signed ad-hoc transform, stores it under variants/, and serves it from there next', async () => {
    const path = signedPath(photo, {
      w: '300',
      h: '300',
      fit: 'cover',
      format: 'webp',
      q: '70',
      exp: inAnHour(),
    });
    const first = await get(base, path);
    expect(first.status).toBe(200);
    expect(first.headers['x-sluice-variant']).toBe('rendered');
    expect(first.headers['cache-control']).toMatch(/^public, max-age=(3[45]\d\d|3600)$/);
    const meta = await sharp(first.body).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 300, 300]);
    const keys = await variantKeys(photo);
    expect(keys).toEqual([expect.stringMatching(new RegExp(`^variants/${photo}/[0-9a-f]{32}\\.webp$`))]);
    expect(first.body.equals(await stored(keys[0] as string))).toBe(true);

    const second = await get(base, path);
    expect(second.status).toBe(200);
    expect(second.headers['x-sluice-variant']).toBe('stored');
    expect(second.body.equals(first.body)).toBe(true);
  });

  it('refuses forged, expired and unsigned transforms and unknown presets with a 4xx, storing nothing', async () => {
    const before = await variantKeys(photo);
    const valid = signedPath(photo, { w: '120', format: 'jpeg', exp: inAnHour() });
    const cases: [string, number, string][] = [
      [valid.replace('w=120', 'w=121'), 403, 'invalid-signature'],
      [
        signedPath(photo, { w: '120', format: 'jpeg', exp: inAnHour() }, randomBytes(32)),
        403,
        'invalid-signature',
      ],
      [signedPath(photo, { w: '120', format: 'jpeg', exp: inAnHour() }, KEY, 'retired'), 403, 'unknown-key'],
      [
        signedPath(photo, { w: '120', format: 'jpeg', exp: String(Math.floor(Date.now() / 1000) - 1) }),
        403,
        'url-expired',
      ],
      [`/v/${photo}?w=120&format=jpeg`, 403, 'signature-required'],
      [`/v/${photo}/gigantic.webp`, 404, 'unknown-preset'],
      [`/v/${photo}/medium.avif`, 404, 'unknown-format'],
      [`/v/${photo}?w=120&format=jpeg&exp=1&kid=${KID}&sig=x&extra=1`, 400, 'unknown-parameter'],
    ];
    for (const [path, status, code] of cases) {
      const answer = await get(base, path);
      expect([path, answer.status, answer.headers['content-type'], errorOf(answer).code]).toEqual([
        path,
        status,
        'application/json',
        code,
      ]);
    }
    expect(await variantKeys(photo)).toEqual(before);
    expect(await objectExists(aws.s3, buckets.processed, renditionKey(photo, 'gigantic', 'webp'))).toBe(
      false,
    );
  });

  it('streams an output over 6 MB (a buffered function URL response could not carry it)', async () => {
    const path = signedPath(noise, { w: String(NOISE_SIZE), format: 'png', exp: inAnHour() });
    const answer = await get(base, path);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('image/png');
    expect(answer.headers['transfer-encoding']).toBe('chunked');
    expect(answer.headers['content-length']).toBeUndefined();
    expect(answer.body.length).toBeGreaterThan(6 * 1024 * 1024);
    const meta = await sharp(answer.body).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', NOISE_SIZE, NOISE_SIZE]);
    const [key] = await variantKeys(noise);
    expect((await stored(key as string)).equals(answer.body)).toBe(true);
  });

  it('renders from the archive once the original left the ingest bucket, and answers 409 when it is cold', async () => {
    const upload = uploadKey({ tenantId: TENANT, assetId: photo, fileName: 'photo.jpg' });
    const archived = `originals/${TENANT}/${photo}/photo.jpg`;
    const archive = (storageClass: 'GLACIER_IR' | 'DEEP_ARCHIVE') =>
      aws.s3.send(
        new CopyObjectCommand({
          Bucket: buckets.archive,
          Key: archived,
          CopySource: `${buckets.ingest}/${encodeURIComponent(upload).replace(/%2F/g, '/')}`,
          StorageClass: storageClass,
        }),
      );
    // What the archiver does: copy into the archive, then delete from uploads/.
    await archive('GLACIER_IR');
    await aws.s3.send(new DeleteObjectCommand({ Bucket: buckets.ingest, Key: upload }));
    await aws.s3.send(
      new DeleteObjectCommand({ Bucket: buckets.processed, Key: renditionKey(photo, 'large', 'webp') }),
    );
    const fromArchive = await get(base, `/v/${photo}/large.webp`);
    expect(fromArchive.status).toBe(200);
    expect(fromArchive.headers['x-sluice-variant']).toBe('rendered');
    expect((await sharp(fromArchive.body).metadata()).width).toBe(1600);

    // Into Deep Archive (a copy onto itself with another class): GetObject is refused until a restore.
    await aws.s3.send(
      new CopyObjectCommand({
        Bucket: buckets.archive,
        Key: archived,
        CopySource: `${buckets.archive}/${archived}`,
        StorageClass: 'DEEP_ARCHIVE',
      }),
    );
    await aws.s3.send(
      new DeleteObjectCommand({ Bucket: buckets.processed, Key: renditionKey(photo, 'large', 'jpeg') }),
    );
    const cold = await get(base, `/v/${photo}/large.jpeg`);
    expect(cold.status).toBe(409);
    expect(cold.headers['cache-control']).toBe('no-store');
    const error = errorOf(cold);
    expect(error.code).toBe('original-archived');
    expect(error.message).toContain('DEEP_ARCHIVE');
    expect(error.message).toContain(`sluice-ops restore ${photo}`);
    // Stored variants are still served meanwhile.
    expect((await get(base, `/v/${photo}/large.webp`)).status).toBe(200);
  });
});
