import { S3Client } from '@aws-sdk/client-s3';
import { validate } from '@sluice/contracts';
import { parseUploadKey } from '@sluice/runtime';
import { S3UploadSigner } from '../src/adapters/s3-upload-signer';
import { createUpload } from '../src/app/create-upload';
import { HttpError } from '../src/domain/http-error';

const s3 = new S3Client({
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:9',
  forcePathStyle: true,
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
});
const deps = {
  signer: new S3UploadSigner(s3),
  ingestBucket: 'sluice-ingest',
  uploadMaxBytes: 1_000_000,
  uploadUrlTtlSeconds: 900,
  now: () => new Date('2026-01-01T00:00:00.000Z'),
};

function policyOf(fields: Record<string, string>) {
  return JSON.parse(Buffer.from(fields.Policy ?? '', 'base64').toString('utf8')) as {
    expiration: string;
    conditions: unknown[];
  };
}

describe('createUpload', () => {
  it('signs a POST that pins the key, the exact size, the content type and the expiry', async () => {
    const response = await createUpload(
      'acme',
      { fileName: '../evil/Été 2026?.jpg', contentType: 'image/jpeg', size: 1234 },
      deps,
    );
    expect(validate('upload-response/v1', response).ok).toBe(true);
    expect(parseUploadKey(response.key)).toEqual({
      tenantId: 'acme',
      assetId: response.assetId,
      fileName: 'Été 2026_.jpg',
    });
    expect(response.upload.url).toBe('http://127.0.0.1:9/sluice-ingest');
    expect(response.expiresAt).toBe('2026-01-01T00:15:00.000Z');
    const policy = policyOf(response.upload.fields);
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['content-length-range', 1234, 1234],
        { 'Content-Type': 'image/jpeg' },
        { key: response.key },
        { bucket: 'sluice-ingest' },
        { 'x-amz-meta-original-name': encodeURIComponent('../evil/Été 2026?.jpg') },
      ]),
    );
    expect(Date.parse(policy.expiration) - Date.now()).toBeLessThanOrEqual(900_000);
  });

  it('gives every upload its own asset id', async () => {
    const body = { fileName: 'a.png', contentType: 'image/png', size: 1 };
    const [a, b] = await Promise.all([createUpload('acme', body, deps), createUpload('acme', body, deps)]);
    expect(a.assetId).not.toBe(b.assetId);
  });

  it.each([
    [{ fileName: 'a.jpg', contentType: 'image/jpeg' }, 400, 'invalid-request', /size/],
    [{ fileName: 'a.jpg', contentType: 'not a type', size: 1 }, 400, 'invalid-request', /contentType/],
    [{ fileName: 'a.jpg', contentType: 'image/jpeg', size: 1, extra: true }, 400, 'invalid-request', /extra/],
    [
      { fileName: 'a.jpg', contentType: 'image/jpeg', size: 2_000_000 },
      413,
      'file-too-large',
      /limit is 1000000 bytes/,
    ],
  ])('refuses %j with %i %s', async (body, status, code, message) => {
    const error = await createUpload('acme', body, deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ statusCode: status, code });
    expect((error as Error).message).toMatch(message);
  });
});
