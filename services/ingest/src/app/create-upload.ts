import { assertValid, type UploadResponse, validate } from '@sluice/contracts';
import { newAssetId, sanitizeFileName, uploadKey } from '@sluice/runtime';
import { HttpError } from '../domain/http-error';
import type { UploadSigner } from '../ports/upload-signer';

export interface CreateUploadDeps {
  signer: UploadSigner;
  ingestBucket: string;
  uploadMaxBytes: number;
  uploadUrlTtlSeconds: number;
  now?: () => Date;
}

/** POST /uploads: a presigned POST for one file, keyed server-side under the caller's tenant. */
export async function createUpload(
  tenantId: string,
  body: unknown,
  deps: CreateUploadDeps,
): Promise<UploadResponse> {
  const request = validate('upload-request/v1', body);
  if (!request.ok) throw new HttpError(400, 'invalid-request', request.errors.join('; '));
  const { fileName, contentType, size } = request.value;
  if (size > deps.uploadMaxBytes) {
    throw new HttpError(
      413,
      'file-too-large',
      `File is ${size} bytes; the limit is ${deps.uploadMaxBytes} bytes`,
    );
  }
  const assetId = newAssetId();
  const safeName = sanitizeFileName(fileName);
  const key = uploadKey({ tenantId, assetId, fileName: safeName });
  const post = await deps.signer.presignPost({
    bucket: deps.ingestBucket,
    key,
    contentType,
    size,
    expiresInSeconds: deps.uploadUrlTtlSeconds,
    // S3 metadata is ASCII: the original name travels URL-encoded.
    metadata: { 'original-name': encodeURIComponent(fileName) },
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
