import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { describeOriginal, restoreOriginal, S3OriginalStore } from '@sluice/archiver';
import { type AssetManifest, type OriginalStatus, validate } from '@sluice/contracts';
import { isAssetId, isNotFound, manifestKey } from '@sluice/runtime';
import { bucketOf, type Deployment } from './deployment';

export class AssetNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssetNotFoundError';
  }
}

async function loadManifest(s3: S3Client, deployment: Deployment, assetId: string): Promise<AssetManifest> {
  if (!isAssetId(assetId)) throw new AssetNotFoundError(`"${assetId}" is not an asset id (a lowercase UUID)`);
  const bucket = bucketOf(deployment, 'processed');
  let text: string;
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: manifestKey(assetId) }));
    text = (await out.Body?.transformToString('utf8')) ?? '';
  } catch (error) {
    if (isNotFound(error))
      throw new AssetNotFoundError(`No manifest for asset ${assetId}: it was never processed`);
    throw error;
  }
  const result = validate('asset-manifest/v1', JSON.parse(text));
  if (!result.ok)
    throw new AssetNotFoundError(`The manifest of ${assetId} is invalid: ${result.errors.join('; ')}`);
  return result.value;
}

const accessFor = (s3: S3Client, deployment: Deployment, downloadUrlTtlSeconds?: number) => ({
  store: new S3OriginalStore(s3),
  archiveBucket: bucketOf(deployment, 'archive'),
  ...(downloadUrlTtlSeconds ? { downloadUrlTtlSeconds } : {}),
});

/** Where an asset's original is, its restore progress, and a download URL when it is readable. */
export async function originalStatus(
  s3: S3Client,
  deployment: Deployment,
  assetId: string,
  options: { downloadUrlTtlSeconds?: number } = {},
): Promise<OriginalStatus> {
  const manifest = await loadManifest(s3, deployment, assetId);
  return describeOriginal(manifest, accessFor(s3, deployment, options.downloadUrlTtlSeconds));
}

/** Requests a restore of an asset's archived original (a no-op answer when none is needed). */
export async function requestRestore(
  s3: S3Client,
  deployment: Deployment,
  assetId: string,
  request: { tier?: string; days?: number },
  options: { downloadUrlTtlSeconds?: number } = {},
): Promise<OriginalStatus> {
  const manifest = await loadManifest(s3, deployment, assetId);
  return restoreOriginal(manifest, request, accessFor(s3, deployment, options.downloadUrlTtlSeconds));
}
