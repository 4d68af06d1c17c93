import { validate } from '@sluice/contracts';
import { parseUploadKey } from '@sluice/runtime';
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  listParts,
  type MultipartDeps,
  signPart,
  signParts,
} from '../src/app/multipart';
import { HttpError } from '../src/domain/http-error';
import { allowedTypes, OTHER_TENANT, TENANT } from './support/deps';
import { FakeMultipartUploads } from './support/fake-multipart';

const MiB = 1024 * 1024;

function setup(uploadMaxBytes = 100 * MiB) {
  const uploads = new FakeMultipartUploads();
  const deps: MultipartDeps = {
    uploads,
    ingestBucket: 'sluice-ingest',
    uploadMaxBytes,
    uploadUrlTtlSeconds: 900,
    allowedContentTypes: allowedTypes,
  };
  return { uploads, deps };
}

async function refusal(promise: Promise<unknown>): Promise<HttpError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(HttpError);
  return error as HttpError;
}

async function started(deps: MultipartDeps, tenantId = TENANT) {
  return createMultipartUpload(
    tenantId,
    {
      filename: 'My Movie.mp4',
      type: 'video/mp4',
      metadata: { name: 'My Movie.mp4', relativePath: null, take: 3 },
    },
    deps,
  );
}

describe('multipart uploads (Companion-compatible)', () => {
  it('creates an upload keyed under the caller tenant, with Uppy meta reduced to labels', async () => {
    const { uploads, deps } = setup();
    const created = await started(deps);
    expect(validate('multipart-create-response/v1', created).ok).toBe(true);
    expect(parseUploadKey(created.key)).toEqual({
      tenantId: TENANT,
      assetId: created.assetId,
      fileName: 'My Movie.mp4',
    });
    expect(uploads.uploads.get(created.uploadId)).toMatchObject({
      contentType: 'video/mp4',
      metadata: { take: '3', 'original-name': 'My%20Movie.mp4' },
    });
  });

  it.each([
    [{ filename: 'a.exe', type: 'application/x-msdownload' }, 415, 'unsupported-media-type'],
    [{ filename: 'a.mp4' }, 400, 'invalid-request'],
    [{ filename: 'a.mp4', type: 'video/mp4', size: 200 * MiB }, 413, 'file-too-large'],
    [{ filename: 'a.mp4', type: 'video/mp4', metadata: { place: { lat: 1 } } }, 400, 'invalid-request'],
    [{ filename: 'a.mp4', type: 'video/mp4', metadata: { 'Bad Key': 'x' } }, 400, 'invalid-metadata'],
  ])('refuses to create %j with %i %s', async (body, status, code) => {
    const { deps } = setup();
    expect(await refusal(createMultipartUpload(TENANT, body, deps))).toMatchObject({
      statusCode: status,
      code,
    });
  });

  it('signs parts, one or a batch, of the caller own upload', async () => {
    const { deps } = setup();
    const { key, uploadId } = await started(deps);
    const one = await signPart(TENANT, uploadId, '7', { key }, deps);
    expect(validate('multipart-part-url/v1', one).ok).toBe(true);
    expect(one.url).toContain('partNumber=7');
    const batch = await signParts(TENANT, uploadId, { key, partNumbers: '1,2,2,3' }, deps);
    expect(Object.keys(batch.presignedUrls)).toEqual(['1', '2', '3']);
  });

  it('answers 404 for another tenant key, an unknown upload id, or an upload id of another key', async () => {
    const { deps } = setup();
    const mine = await started(deps);
    const theirs = await started(deps, OTHER_TENANT);
    const notFound = { statusCode: 404, code: 'upload-not-found' };
    // Their key and their upload id, with my token.
    expect(await refusal(signPart(TENANT, theirs.uploadId, '1', { key: theirs.key }, deps))).toMatchObject(
      notFound,
    );
    // My key with their upload id: the id is not an upload of this key.
    expect(await refusal(signPart(TENANT, theirs.uploadId, '1', { key: mine.key }, deps))).toMatchObject(
      notFound,
    );
    expect(await refusal(listParts(TENANT, 'nope', { key: mine.key }, deps))).toMatchObject(notFound);
    expect(
      await refusal(abortMultipartUpload(TENANT, theirs.uploadId, { key: theirs.key }, deps)),
    ).toMatchObject(notFound);
    expect(
      await refusal(
        completeMultipartUpload(
          TENANT,
          theirs.uploadId,
          { key: theirs.key },
          { parts: [{ PartNumber: 1, ETag: 'x' }] },
          deps,
        ),
      ),
    ).toMatchObject(notFound);
    // A key outside the layout is nobody's.
    expect(
      await refusal(signPart(TENANT, mine.uploadId, '1', { key: 'quarantine/acme/x/y' }, deps)),
    ).toMatchObject(notFound);
  });

  it.each([
    ['0', /1 to 10000/],
    ['10001', /1 to 10000/],
    ['1.5', /1 to 10000/],
    ['abc', /1 to 10000/],
  ])('refuses part number %s with 400', async (partNumber, message) => {
    const { deps } = setup();
    const { key, uploadId } = await started(deps);
    const error = await refusal(signPart(TENANT, uploadId, partNumber, { key }, deps));
    expect(error.statusCode).toBe(400);
    expect(error.message).toMatch(message);
  });

  it('needs the key query parameter', async () => {
    const { deps } = setup();
    const { uploadId } = await started(deps);
    expect((await refusal(listParts(TENANT, uploadId, {}, deps))).message).toMatch(/key query parameter/);
  });

  it('lists uploaded parts in Companion shape, and completes with them', async () => {
    const { uploads, deps } = setup();
    const { key, uploadId, assetId } = await started(deps);
    const e2 = uploads.uploadPart(uploadId, 2, 1 * MiB);
    const e1 = uploads.uploadPart(uploadId, 1, 5 * MiB);
    const parts = await listParts(TENANT, uploadId, { key }, deps);
    expect(validate('multipart-parts/v1', parts).ok).toBe(true);
    expect(parts.map((p) => [p.PartNumber, p.Size])).toEqual([
      [1, 5 * MiB],
      [2, MiB],
    ]);
    // Uppy may send them in any order and with or without quotes on the ETag.
    const done = await completeMultipartUpload(
      TENANT,
      uploadId,
      { key },
      {
        parts: [
          { PartNumber: 2, ETag: e2.replace(/"/g, '') },
          { PartNumber: 1, ETag: e1 },
        ],
      },
      deps,
    );
    expect(validate('multipart-complete-response/v1', done).ok).toBe(true);
    expect(done).toMatchObject({ key, assetId, size: 6 * MiB });
    expect(uploads.completed[0]?.parts.map((p) => p.partNumber)).toEqual([1, 2]);
  });

  it('aborts an upload whose parts add up to more than the limit, and says so with 413', async () => {
    const { uploads, deps } = setup(10 * MiB);
    const { key, uploadId } = await started(deps);
    const parts = [1, 2, 3].map((n) => ({ PartNumber: n, ETag: uploads.uploadPart(uploadId, n, 5 * MiB) }));
    const error = await refusal(completeMultipartUpload(TENANT, uploadId, { key }, { parts }, deps));
    expect(error).toMatchObject({ statusCode: 413, code: 'file-too-large' });
    expect(error.message).toMatch(/15728640 bytes; the limit is 10485760 bytes. The upload was aborted/);
    expect(uploads.aborted).toEqual([uploadId]);
    expect(uploads.completed).toEqual([]);
  });

  it.each([
    [
      'a part never uploaded',
      (e1: string) => [
        { PartNumber: 1, ETag: e1 },
        { PartNumber: 9, ETag: e1 },
      ],
      /Part 9 was never uploaded/,
    ],
    ['a wrong ETag', () => [{ PartNumber: 1, ETag: '"0000"' }], /ETag does not match/],
    [
      'a part listed twice',
      (e1: string) => [
        { PartNumber: 1, ETag: e1 },
        { PartNumber: 1, ETag: e1 },
      ],
      /listed twice/,
    ],
    ['no parts', () => [], /parts must NOT have fewer than 1 items/],
  ])('refuses to complete with %s', async (_what, parts, message) => {
    const { uploads, deps } = setup();
    const { key, uploadId } = await started(deps);
    const e1 = uploads.uploadPart(uploadId, 1, MiB);
    const error = await refusal(
      completeMultipartUpload(TENANT, uploadId, { key }, { parts: parts(e1) }, deps),
    );
    expect(error.statusCode).toBe(400);
    expect(error.message).toMatch(message);
    expect(uploads.completed).toEqual([]);
  });

  it('aborts the caller own upload', async () => {
    const { uploads, deps } = setup();
    const { key, uploadId } = await started(deps);
    const response = await abortMultipartUpload(TENANT, uploadId, { key }, deps);
    expect(validate('multipart-abort-response/v1', response).ok).toBe(true);
    expect(uploads.aborted).toEqual([uploadId]);
    // Gone now: a second abort is a 404, as on S3.
    expect((await refusal(abortMultipartUpload(TENANT, uploadId, { key }, deps))).statusCode).toBe(404);
  });
});
