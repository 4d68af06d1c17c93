import {
  assertValid,
  type MultipartAbortResponse,
  type MultipartCompleteResponse,
  type MultipartCreateResponse,
  type MultipartParts,
  type MultipartPartUrl,
  type MultipartPartUrls,
  validate,
} from '@sluice/contracts';
import {
  newAssetId,
  parseUploadKey,
  sanitizeFileName,
  type UploadLocation,
  uploadKey,
} from '@sluice/runtime';
import { uploadMetadata } from '../domain/client-metadata';
import type { ContentTypePolicy } from '../domain/content-types';
import { HttpError } from '../domain/http-error';
import { MultipartUploadError, type MultipartUploads, type PartRef } from '../ports/multipart-uploads';

/*
 * Multipart uploads with the endpoints Uppy's @uppy/aws-s3 plugin calls on a Companion server:
 *
 *   POST   /s3/multipart                           create (key made here, under the caller's tenant)
 *   GET    /s3/multipart/{uploadId}/{partNumber}   sign one part   ?key=
 *   GET    /s3/multipart/{uploadId}/batch          sign parts      ?key=&partNumbers=1,2
 *   GET    /s3/multipart/{uploadId}                list parts      ?key=
 *   POST   /s3/multipart/{uploadId}/complete       complete        ?key=
 *   DELETE /s3/multipart/{uploadId}                abort           ?key=
 *
 * Every call after create names the key and the upload id. The key must be one of the caller's
 * tenant (uploads/{tenantId}/...) and the upload id an upload in progress for exactly that key,
 * else 404: nobody signs, lists, completes or aborts another tenant's upload. The size limit is
 * enforced at completion from S3's own part list; an upload over it is aborted.
 */

export const MAX_PARTS = 10_000;
const MAX_BATCH = 100;
const UPLOAD_ID = /^[A-Za-z0-9._~+/=-]{1,1024}$/;

export interface MultipartDeps {
  uploads: MultipartUploads;
  ingestBucket: string;
  uploadMaxBytes: number;
  /** Part URLs stay valid this long. */
  uploadUrlTtlSeconds: number;
  allowedContentTypes: ContentTypePolicy;
}

type Query = Readonly<Record<string, string | undefined>>;

function invalid(message: string, errors?: string[]): HttpError {
  return new HttpError(400, 'invalid-request', message, errors);
}

function notFound(uploadId: string): HttpError {
  return new HttpError(404, 'upload-not-found', `No multipart upload ${uploadId} in progress for this key`);
}

/** The caller's own upload: its key parsed and the upload id checked against S3's uploads of that key. */
async function ownUpload(
  tenantId: string,
  uploadId: string,
  query: Query,
  deps: MultipartDeps,
): Promise<UploadLocation & { key: string }> {
  const key = query.key;
  if (!key) throw invalid('The key query parameter is required (the key POST /s3/multipart returned)');
  if (!UPLOAD_ID.test(uploadId)) throw invalid('The upload id is malformed');
  const location = parseUploadKey(key);
  // Another tenant's key, or one this API never makes: the same answer as an unknown upload.
  if (!location || location.tenantId !== tenantId) throw notFound(uploadId);
  if (!(await deps.uploads.isOpen(deps.ingestBucket, key, uploadId))) throw notFound(uploadId);
  return { ...location, key };
}

function partNumberOf(raw: string): number {
  if (!/^\d{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_PARTS) {
    throw invalid(`Part numbers are integers from 1 to ${MAX_PARTS}; got "${raw}"`);
  }
  return Number(raw);
}

function clientError(error: unknown, uploadId: string): never {
  if (error instanceof MultipartUploadError) {
    if (error.failure === 'no-such-upload') throw notFound(uploadId);
    const messages = {
      'invalid-part': 'A part is missing or its ETag does not match the uploaded part',
      'invalid-part-order': 'Parts must be listed in ascending part number order',
      'part-too-small': 'Every part but the last must be at least 5 MiB',
    };
    throw new HttpError(400, error.failure, `${messages[error.failure]} (${error.message})`);
  }
  throw error;
}

export async function createMultipartUpload(
  tenantId: string,
  body: unknown,
  deps: MultipartDeps,
): Promise<MultipartCreateResponse> {
  const request = validate('multipart-create-request/v1', body);
  if (!request.ok) throw invalid(request.errors.join('; '), request.errors);
  const { filename, type, metadata, size } = request.value;
  deps.allowedContentTypes.assertAllowed(type);
  if (size !== undefined && size > deps.uploadMaxBytes) {
    throw new HttpError(
      413,
      'file-too-large',
      `File is ${size} bytes; the limit is ${deps.uploadMaxBytes} bytes`,
    );
  }
  const assetId = newAssetId();
  const key = uploadKey({ tenantId, assetId, fileName: sanitizeFileName(filename) });
  const uploadId = await deps.uploads.create({
    bucket: deps.ingestBucket,
    key,
    contentType: type,
    metadata: uploadMetadata(filename, metadata),
  });
  return assertValid('multipart-create-response/v1', {
    key,
    uploadId,
    bucket: deps.ingestBucket,
    assetId,
    maxBytes: deps.uploadMaxBytes,
  });
}

export async function signPart(
  tenantId: string,
  uploadId: string,
  partNumber: string,
  query: Query,
  deps: MultipartDeps,
): Promise<MultipartPartUrl> {
  const number = partNumberOf(partNumber);
  const { key } = await ownUpload(tenantId, uploadId, query, deps);
  const url = await deps.uploads.signPart({
    bucket: deps.ingestBucket,
    key,
    uploadId,
    partNumber: number,
    expiresInSeconds: deps.uploadUrlTtlSeconds,
  });
  return assertValid('multipart-part-url/v1', {
    url,
    expires: deps.uploadUrlTtlSeconds,
    method: 'PUT',
    headers: {},
  });
}

export async function signParts(
  tenantId: string,
  uploadId: string,
  query: Query,
  deps: MultipartDeps,
): Promise<MultipartPartUrls> {
  const list = (query.partNumbers ?? '').split(',').filter(Boolean);
  if (list.length === 0) throw invalid('The partNumbers query parameter lists the parts to sign, e.g. 1,2,3');
  if (list.length > MAX_BATCH) throw invalid(`At most ${MAX_BATCH} parts per batch`);
  const numbers = [...new Set(list.map(partNumberOf))];
  const { key } = await ownUpload(tenantId, uploadId, query, deps);
  const urls = await Promise.all(
    numbers.map((partNumber) =>
      deps.uploads.signPart({
        bucket: deps.ingestBucket,
        key,
        uploadId,
        partNumber,
        expiresInSeconds: deps.uploadUrlTtlSeconds,
      }),
    ),
  );
  return assertValid('multipart-part-urls/v1', {
    presignedUrls: Object.fromEntries(numbers.map((n, i) => [String(n), urls[i]])),
    expires: deps.uploadUrlTtlSeconds,
  });
}

export async function listParts(
  tenantId: string,
  uploadId: string,
  query: Query,
  deps: MultipartDeps,
): Promise<MultipartParts> {
  const { key } = await ownUpload(tenantId, uploadId, query, deps);
  const parts = await deps.uploads
    .listParts(deps.ingestBucket, key, uploadId)
    .catch((e) => clientError(e, uploadId));
  return assertValid(
    'multipart-parts/v1',
    parts.map((p) => ({
      PartNumber: p.partNumber,
      ETag: p.eTag,
      Size: p.size,
      ...(p.lastModified ? { LastModified: p.lastModified } : {}),
    })),
  );
}

export async function completeMultipartUpload(
  tenantId: string,
  uploadId: string,
  query: Query,
  body: unknown,
  deps: MultipartDeps,
): Promise<MultipartCompleteResponse> {
  const request = validate('multipart-complete-request/v1', body);
  if (!request.ok) throw invalid(request.errors.join('; '), request.errors);
  const { key, assetId } = await ownUpload(tenantId, uploadId, query, deps);

  const requested: PartRef[] = request.value.parts
    .map((p) => ({ partNumber: p.PartNumber, eTag: p.ETag }))
    .sort((a, b) => a.partNumber - b.partNumber);
  const duplicate = requested.find((p, i) => i > 0 && requested[i - 1]?.partNumber === p.partNumber);
  if (duplicate) throw invalid(`Part ${duplicate.partNumber} is listed twice`);

  // The size limit, from what S3 holds (not from anything the client says).
  const uploaded = await deps.uploads
    .listParts(deps.ingestBucket, key, uploadId)
    .catch((e) => clientError(e, uploadId));
  const sizes = new Map(uploaded.map((p) => [p.partNumber, p]));
  const unquote = (eTag: string) => eTag.replace(/^"|"$/g, '');
  for (const part of requested) {
    const found = sizes.get(part.partNumber);
    if (!found) throw new HttpError(400, 'invalid-part', `Part ${part.partNumber} was never uploaded`);
    if (unquote(found.eTag) !== unquote(part.eTag)) {
      throw new HttpError(
        400,
        'invalid-part',
        `Part ${part.partNumber}'s ETag does not match the uploaded part`,
      );
    }
  }
  const size = requested.reduce((total, part) => total + (sizes.get(part.partNumber)?.size ?? 0), 0);
  if (size > deps.uploadMaxBytes) {
    await deps.uploads.abort(deps.ingestBucket, key, uploadId).catch(() => undefined);
    throw new HttpError(
      413,
      'file-too-large',
      `The parts add up to ${size} bytes; the limit is ${deps.uploadMaxBytes} bytes. The upload was aborted.`,
    );
  }
  const { location } = await deps.uploads
    .complete(deps.ingestBucket, key, uploadId, requested)
    .catch((e) => clientError(e, uploadId));
  return assertValid('multipart-complete-response/v1', {
    location,
    key,
    bucket: deps.ingestBucket,
    assetId,
    size,
  });
}

export async function abortMultipartUpload(
  tenantId: string,
  uploadId: string,
  query: Query,
  deps: MultipartDeps,
): Promise<MultipartAbortResponse> {
  const { key } = await ownUpload(tenantId, uploadId, query, deps);
  await deps.uploads.abort(deps.ingestBucket, key, uploadId).catch((e) => clientError(e, uploadId));
  return assertValid('multipart-abort-response/v1', { key, uploadId, aborted: true });
}
