import { validate } from '@sluice/contracts';
import { parseUploadKey } from '@sluice/runtime';
import { S3UploadSigner } from '../src/adapters/s3-upload-signer';
import { createUpload, createUploadParams, SINGLE_REQUEST_MAX_BYTES } from '../src/app/uploads';
import { HttpError } from '../src/domain/http-error';
import { allowedTypes, offlineS3, policyOf } from './support/deps';

const deps = {
  signer: new S3UploadSigner(offlineS3),
  ingestBucket: 'sluice-ingest',
  uploadMaxBytes: 1_000_000,
  uploadUrlTtlSeconds: 900,
  allowedContentTypes: allowedTypes,
  now: () => new Date('2026-01-01T00:00:00.000Z'),
};

async function refusal(promise: Promise<unknown>): Promise<HttpError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(HttpError);
  return error as HttpError;
}

describe('POST /uploads (createUpload)', () => {
  it('signs a POST that pins the key, the exact size, the content type, the metadata and the expiry', async () => {
    const response = await createUpload(
      'acme',
      {
        fileName: '../evil/Été 2026?.jpg',
        contentType: 'image/jpeg',
        size: 1234,
        metadata: { album: 'Été' },
        checksumSha256: 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=',
      },
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
        { 'x-amz-meta-album': encodeURIComponent('Été') },
        { 'x-amz-checksum-algorithm': 'SHA256' },
        { 'x-amz-checksum-sha256': 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=' },
      ]),
    );
    // Every form field the client sends is pinned by a condition: none can be changed.
    for (const [name, value] of Object.entries(response.upload.fields)) {
      if (['Policy', 'X-Amz-Signature'].includes(name)) continue;
      expect(policy.conditions).toContainEqual({ [name]: value });
    }
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
      { fileName: 'a.exe', contentType: 'application/x-msdownload', size: 1 },
      415,
      'unsupported-media-type',
      /allowed: image\/\*/,
    ],
    [
      { fileName: 'a.jpg', contentType: 'image/jpeg', size: 2_000_000 },
      413,
      'file-too-large',
      /limit is 1000000 bytes/,
    ],
    [
      { fileName: 'a.jpg', contentType: 'image/jpeg', size: 1, metadata: { 'original-name': 'x' } },
      400,
      'invalid-metadata',
      /original-name/,
    ],
  ])('refuses %j with %i %s', async (body, status, code, message) => {
    const error = await refusal(createUpload('acme', body, deps));
    expect(error).toMatchObject({ statusCode: status, code });
    expect(error.message).toMatch(message);
  });

  it('sends files over 5 GiB to multipart, whatever the configured limit', async () => {
    const error = await refusal(
      createUpload(
        'acme',
        { fileName: 'a.mov', contentType: 'video/quicktime', size: SINGLE_REQUEST_MAX_BYTES + 1 },
        { ...deps, uploadMaxBytes: 10 * SINGLE_REQUEST_MAX_BYTES },
      ),
    );
    expect(error).toMatchObject({ statusCode: 413, code: 'file-too-large' });
    expect(error.message).toMatch(/POST \/s3\/multipart/);
  });
});

describe('GET /s3/params (createUploadParams, Uppy single-request uploads)', () => {
  it('signs a POST for any size up to the limit, with the content type and labels pinned', async () => {
    const response = await createUploadParams(
      'acme',
      {
        filename: 'cat.png',
        type: 'image/png',
        'metadata[name]': 'cat.png',
        'metadata[type]': 'image/png',
        'metadata[caption]': 'a cat',
      },
      deps,
    );
    expect(validate('upload-params-response/v1', response).ok).toBe(true);
    expect(response).toMatchObject({ method: 'POST', expires: 900, maxBytes: 1_000_000 });
    expect(response.fields.key).toBe(response.key);
    expect(parseUploadKey(response.key)?.tenantId).toBe('acme');
    const policy = policyOf(response.fields);
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['content-length-range', 0, 1_000_000],
        { 'Content-Type': 'image/png' },
        { 'x-amz-meta-caption': 'a%20cat' },
      ]),
    );
    // Uppy's own name/type meta are not labels.
    expect(response.fields).not.toHaveProperty('x-amz-meta-name');
  });

  it('pins the exact size when the client says it', async () => {
    const response = await createUploadParams(
      'acme',
      { filename: 'a.pdf', type: 'application/pdf', size: '77' },
      deps,
    );
    expect(policyOf(response.fields).conditions).toContainEqual(['content-length-range', 77, 77]);
    expect(response.maxBytes).toBe(77);
  });

  it.each([
    [{ type: 'image/png' }, 400, /filename/],
    [{ filename: 'a.png' }, 400, /type/],
    [{ filename: 'a.png', type: 'application/zip' }, 415, /not accepted/],
    [{ filename: 'a.png', type: 'image/png', size: 'big' }, 400, /byte count/],
    [{ filename: 'a.png', type: 'image/png', size: '1000001' }, 413, /limit/],
  ])('refuses %j with %i', async (query, status, message) => {
    const error = await refusal(createUploadParams('acme', query, deps));
    expect(error.statusCode).toBe(status);
    expect(error.message).toMatch(message);
  });
});
