import { type AssetManifest, validate } from '@sluice/contracts';
import { indexDocumentKey, isAssetId, manifestKey, type ObjectStore, UPLOADS_PREFIX } from '@sluice/runtime';
import { HttpError } from '../domain/http-error';

export type AssetStage = 'uploaded' | 'processed' | 'indexed' | 'archived';

export interface AssetStatus {
  assetId: string;
  stages: Record<AssetStage, boolean>;
  manifest?: AssetManifest;
}

export interface GetAssetStatusDeps {
  objects: ObjectStore;
  ingestBucket: string;
  processedBucket: string;
  archiveBucket?: string;
}

/** GET /assets/{id}: which stages an asset of the caller's tenant has reached. */
export async function getAssetStatus(
  tenantId: string,
  assetId: string,
  deps: GetAssetStatusDeps,
): Promise<AssetStatus> {
  if (!isAssetId(assetId)) throw new HttpError(400, 'invalid-asset-id', 'Asset ids are UUIDs');
  const [uploads, manifestDoc, indexHead] = await Promise.all([
    deps.objects.listKeys(deps.ingestBucket, `${UPLOADS_PREFIX}${tenantId}/${assetId}/`, 1),
    deps.objects.getJson(deps.processedBucket, manifestKey(assetId)),
    deps.objects.head(deps.processedBucket, indexDocumentKey(tenantId, assetId)),
  ]);
  const parsed = manifestDoc === null ? null : validate('asset-manifest/v1', manifestDoc);
  // Another tenant's manifest is answered exactly like a missing one.
  const manifest = parsed?.ok && parsed.value.tenantId === tenantId ? parsed.value : undefined;
  if (!manifest && uploads.length === 0) throw new HttpError(404, 'not-found', `No asset ${assetId}`);
  return {
    assetId,
    stages: {
      uploaded: true,
      processed: manifest !== undefined,
      indexed: manifest !== undefined && indexHead !== null,
      archived: manifest !== undefined && uploads.length === 0,
    },
    ...(manifest ? { manifest } : {}),
  };
}
