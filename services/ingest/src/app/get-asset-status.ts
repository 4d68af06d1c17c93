import { DEFAULT_DOWNLOAD_URL_TTL_SECONDS, describeOriginal, type OriginalStore } from '@sluice/archiver';
import {
  type AssetManifest,
  type AssetStatus,
  assertValid,
  type RejectionRecord,
  validate,
} from '@sluice/contracts';
import {
  archiveKey,
  indexDocumentKey,
  isAssetId,
  manifestKey,
  type ObjectStore,
  quarantineKey,
  rejectionKey,
  uploadKey,
} from '@sluice/runtime';
import { assetState } from '../domain/asset-state';
import { HttpError } from '../domain/http-error';
import type { DownloadUrlSigner } from '../ports/download-url-signer';

export interface GetAssetStatusDeps {
  objects: ObjectStore;
  urls: DownloadUrlSigner;
  ingestBucket: string;
  processedBucket: string;
  archiveBucket: string;
  renditionUrlTtlSeconds: number;
  /** Where originals are read and restored (S3OriginalStore); without it, no `original` section. */
  originals?: OriginalStore;
  now?: () => Date;
}

/** The document at key if it honours the contract and belongs to the tenant; else undefined. */
export async function tenantDocument<N extends 'asset-manifest/v1' | 'rejection-record/v1'>(
  objects: ObjectStore,
  bucket: string,
  key: string,
  schema: N,
  tenantId: string,
): Promise<(N extends 'asset-manifest/v1' ? AssetManifest : RejectionRecord) | undefined> {
  const doc = await objects.getJson(bucket, key);
  if (doc === null) return undefined;
  const result = validate(schema, doc);
  // Another tenant's document (the processed bucket is keyed by asset id) reads as missing.
  if (!result.ok || result.value.tenantId !== tenantId) return undefined;
  return result.value as N extends 'asset-manifest/v1' ? AssetManifest : RejectionRecord;
}

/**
 * GET /assets/{id}: where one of the caller's assets stands (uploaded, processed, indexed, archived
 * or rejected with the reason) and short-lived URLs for its renditions. Another tenant's asset is
 * answered exactly like a missing one.
 */
export async function getAssetStatus(
  tenantId: string,
  assetId: string,
  deps: GetAssetStatusDeps,
): Promise<AssetStatus> {
  if (!isAssetId(assetId)) throw new HttpError(400, 'invalid-asset-id', 'Asset ids are lowercase UUIDs');
  const folder = { tenantId, assetId, fileName: '' };
  const first = async (bucket: string, prefix: string) => (await deps.objects.listKeys(bucket, prefix, 1))[0];
  const [uploaded, quarantined, archived, manifest, rejection, indexHead] = await Promise.all([
    first(deps.ingestBucket, uploadKey(folder)),
    first(deps.ingestBucket, quarantineKey(folder)),
    first(deps.archiveBucket, archiveKey(folder)),
    tenantDocument(deps.objects, deps.processedBucket, manifestKey(assetId), 'asset-manifest/v1', tenantId),
    tenantDocument(
      deps.objects,
      deps.processedBucket,
      rejectionKey(assetId),
      'rejection-record/v1',
      tenantId,
    ),
    deps.objects.head(deps.processedBucket, indexDocumentKey(tenantId, assetId)),
  ]);
  const picture = assetState({
    ...(uploaded ? { uploadKey: uploaded } : {}),
    ...(quarantined ? { quarantineKey: quarantined } : {}),
    ...(archived ? { archiveKey: archived } : {}),
    ...(manifest ? { manifest } : {}),
    ...(rejection ? { rejection } : {}),
    indexed: indexHead !== null,
  });
  if (!picture) throw new HttpError(404, 'not-found', `No asset ${assetId}`);

  // Name, declared type and size: from the manifest, else from the original where it is.
  const originalKey = uploaded ?? quarantined;
  const head = !manifest && originalKey ? await deps.objects.head(deps.ingestBucket, originalKey) : null;
  const anyKey = manifest?.source.key ?? originalKey ?? archived ?? rejection?.sourceKey;
  const fileName = manifest?.source.fileName ?? anyKey?.split('/').pop();
  const contentType = manifest?.source.declaredContentType ?? head?.contentType;
  const size = manifest?.source.size ?? head?.size;

  const now = deps.now?.() ?? new Date();
  // The manifest is the caller's (tenant-checked above): where its original is, and whether it reads.
  const original =
    manifest && deps.originals
      ? await describeOriginal(manifest, {
          store: deps.originals,
          archiveBucket: deps.archiveBucket,
          downloadUrlTtlSeconds: DEFAULT_DOWNLOAD_URL_TTL_SECONDS,
          now: () => now,
        })
      : undefined;
  const expiresAt = new Date(now.getTime() + deps.renditionUrlTtlSeconds * 1000).toISOString();
  const renditions =
    picture.state === 'rejected' || !manifest
      ? []
      : await Promise.all(
          manifest.renditions.map(async (r) => ({
            preset: r.preset,
            format: r.format,
            width: r.width,
            height: r.height,
            bytes: r.bytes,
            contentType: r.contentType,
            url: await deps.urls.presignGet(deps.processedBucket, r.key, deps.renditionUrlTtlSeconds),
            expiresAt,
          })),
        );

  return assertValid('asset-status/v1', {
    assetId,
    tenantId,
    state: picture.state,
    stages: picture.stages,
    ...(fileName ? { fileName } : {}),
    ...(contentType &&
    /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/.test(contentType)
      ? { contentType }
      : {}),
    ...(size !== undefined ? { size } : {}),
    ...(manifest
      ? {
          sha256: manifest.sha256,
          detected: { mime: manifest.detected.mime, kind: manifest.detected.kind },
          processedAt: manifest.processedAt,
          ...(manifest.image
            ? {
                image: {
                  width: manifest.image.width,
                  height: manifest.image.height,
                  format: manifest.image.format,
                },
              }
            : {}),
          // What clients draw while a rendition loads, and the camera facts (never GPS: exif is closed).
          ...(manifest.dominantColor ? { dominantColor: manifest.dominantColor } : {}),
          ...(manifest.placeholder ? { placeholder: manifest.placeholder } : {}),
          ...(manifest.exif && Object.keys(manifest.exif).length > 0 ? { exif: manifest.exif } : {}),
        }
      : {}),
    ...(picture.state === 'rejected'
      ? {
          rejection: rejection
            ? {
                reason: rejection.reason,
                message: rejection.message,
                stage: rejection.stage,
                rejectedAt: rejection.rejectedAt,
              }
            : {
                reason: 'rejected',
                message:
                  'The pipeline rejected this file and kept it in quarantine; no rejection record says why',
                stage: 'process',
              },
        }
      : {}),
    ...(original ? { original } : {}),
    renditions,
  });
}
