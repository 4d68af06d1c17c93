import {
  DEFAULT_DOWNLOAD_URL_TTL_SECONDS,
  OriginalNotFoundError,
  type OriginalStore,
  RestoreRequestError,
  restoreOriginal,
} from '@sluice/archiver';
import { assertValid, type OriginalStatus, validate } from '@sluice/contracts';
import { isAssetId, manifestKey, type ObjectStore } from '@sluice/runtime';
import { HttpError } from '../domain/http-error';
import { tenantDocument } from './get-asset-status';

export interface RestoreOriginalDeps {
  objects: ObjectStore;
  originals: OriginalStore;
  processedBucket: string;
  archiveBucket: string;
  now?: () => Date;
}

/**
 * POST /assets/{id}/restore: requests a restore of one of the caller's archived originals (tier and
 * days, restore-request/v1, both optional) and answers its original-status/v1. Another tenant's
 * asset, or one without a manifest or an original, is a 404 exactly like a missing one.
 */
export async function restoreAssetOriginal(
  tenantId: string,
  assetId: string,
  body: unknown,
  deps: RestoreOriginalDeps,
): Promise<OriginalStatus> {
  if (!isAssetId(assetId)) throw new HttpError(400, 'invalid-asset-id', 'Asset ids are lowercase UUIDs');
  const request = validate('restore-request/v1', body ?? {});
  if (!request.ok) throw new HttpError(400, 'invalid-request', request.errors.join('; '), request.errors);
  const manifest = await tenantDocument(
    deps.objects,
    deps.processedBucket,
    manifestKey(assetId),
    'asset-manifest/v1',
    tenantId,
  );
  if (!manifest) throw new HttpError(404, 'not-found', `No asset ${assetId}`);
  try {
    const status = await restoreOriginal(manifest, request.value, {
      store: deps.originals,
      archiveBucket: deps.archiveBucket,
      downloadUrlTtlSeconds: DEFAULT_DOWNLOAD_URL_TTL_SECONDS,
      ...(deps.now ? { now: deps.now } : {}),
    });
    return assertValid('original-status/v1', status);
  } catch (error) {
    if (error instanceof RestoreRequestError) throw new HttpError(400, error.code, error.message);
    if (error instanceof OriginalNotFoundError) {
      throw new HttpError(404, 'not-found', `No original of asset ${assetId}`);
    }
    throw error;
  }
}
