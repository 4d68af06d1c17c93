import { assertValid, type UploadParamsResponse, type UploadResponse, validate } from '@sluice/contracts';
import { newAssetId, sanitizeFileName, uploadKey } from '@sluice/runtime';
import { uploadMetadata } from '../domain/client-metadata';
import type { ContentTypePolicy } from '../domain/content-types';
import { HttpError } from '../domain/http-error';
import type { UploadSigner } from '../ports/upload-signer';

/** S3 takes at most 5 GiB in one request; larger files go multipart. */
export const SINGLE_REQUEST_MAX_BYTES = 5 * 1024 ** 3;

export interface UploadDeps {
  signer: UploadSigner;
  ingestBucket: string;
  uploadMaxBytes: number;
  uploadUrlTtlSeconds: number;
  allowedContentTypes: ContentTypePolicy;
  now?: () => Date;
}

function checkSize(size: number, deps: UploadDeps): void {
  if (size > deps.uploadMaxBytes) {
    throw new HttpError(
      413,
      'file-too-large',
      `File is ${size} bytes; the limit is ${deps.uploadMaxBytes} bytes`,
    );
  }
  if (size > SINGLE_REQUEST_MAX_BYTES) {
    throw new HttpError(
      413,
      'file-too-large',
      `File is ${size} bytes; one request takes at most ${SINGLE_REQUEST_MAX_BYTES}: use a multipart upload (POST /s3/multipart)`,
    );
  }
}

/** POST /uploads: a presigned POST for one file of an exact size, keyed server-side under the caller's tenant. */
export async function createUpload(
  tenantId: string,
  body: unknown,
  deps: UploadDeps,
): Promise<UploadResponse> {
  const request = validate('upload-request/v1', body);
  if (!request.ok) throw new HttpError(400, 'invalid-request', request.errors.join('; '), request.errors);
  const { fileName, contentType, size, checksumSha256, metadata } = request.value;
  deps.allowedContentTypes.assertAllowed(contentType);
  checkSize(size, deps);
  const assetId = newAssetId();
  const key = uploadKey({ tenantId, assetId, fileName: sanitizeFileName(fileName) });
  const post = await deps.signer.presignPost({
    bucket: deps.ingestBucket,
    key,
    contentType,
    minBytes: size,
    maxBytes: size,
    expiresInSeconds: deps.uploadUrlTtlSeconds,
    metadata: uploadMetadata(fileName, metadata),
    ...(checksumSha256 ? { checksumSha256 } : {}),
  });
  const expiresAt = new Date((deps.now?.() ?? new Date()).getTime() + deps.uploadUrlTtlSeconds * 1000);
  return assertValid('upload-response/v1', {
    assetId,
    key,
    upload: { method: 'POST', url: post.url, fields: post.fields },
    expiresAt: expiresAt.toISOString(),
    maxBytes: size,
  });
}

/**
 * GET /s3/params?filename=&type=&metadata[k]=v (Uppy's single-request upload through Companion): a
 * presigned POST of any size up to the limit (Uppy does not say the size; a `size` parameter, if
 * given, pins it exactly).
 */
export async function createUploadParams(
  tenantId: string,
  query: Readonly<Record<string, string | undefined>>,
  deps: UploadDeps,
): Promise<UploadParamsResponse> {
  const fileName = query.filename ?? '';
  const contentType = (query.type ?? '').trim();
  if (fileName.length < 1 || fileName.length > 1024) {
    throw new HttpError(
      400,
      'invalid-request',
      'The filename query parameter is required (1 to 1024 characters)',
    );
  }
  if (!contentType)
    throw new HttpError(400, 'invalid-request', 'The type query parameter (the content type) is required');
  deps.allowedContentTypes.assertAllowed(contentType);
  let size: number | undefined;
  if (query.size !== undefined) {
    if (!/^\d{1,16}$/.test(query.size))
      throw new HttpError(400, 'invalid-request', 'size must be a byte count');
    size = Number(query.size);
    checkSize(size, deps);
  }
  const maxBytes = size ?? Math.min(deps.uploadMaxBytes, SINGLE_REQUEST_MAX_BYTES);
  const labels: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    const label = /^metadata\[(.+)\]$/.exec(name)?.[1];
    if (label !== undefined && value !== undefined) labels[label] = value;
  }
  const assetId = newAssetId();
  const key = uploadKey({ tenantId, assetId, fileName: sanitizeFileName(fileName) });
  const post = await deps.signer.presignPost({
    bucket: deps.ingestBucket,
    key,
    contentType,
    minBytes: size ?? 0,
    maxBytes,
    expiresInSeconds: deps.uploadUrlTtlSeconds,
    metadata: uploadMetadata(fileName, labels),
  });
  return assertValid('upload-params-response/v1', {
    method: 'POST',
    url: post.url,
    fields: post.fields,
    expires: deps.uploadUrlTtlSeconds,
    assetId,
    key,
    maxBytes,
  });
}
