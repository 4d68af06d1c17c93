import type { AssetManifest, OriginalStatus } from '@sluice/contracts';
import { archiveKey } from '@sluice/runtime';
import { type ArchivedObjectState, availabilityOf, restoreParameters } from '../domain/restore';
import type { ObjectRef } from '../ports/archive-store';
import type { OriginalStore } from '../ports/original-store';

export interface OriginalAccessDeps {
  store: OriginalStore;
  archiveBucket: string;
  /** Lifetime of download URLs. Default 300 s. */
  downloadUrlTtlSeconds?: number;
  now?: () => Date;
}

export const DEFAULT_DOWNLOAD_URL_TTL_SECONDS = 300;

interface Located {
  location: 'ingest' | 'archive';
  ref: ObjectRef;
  state: ArchivedObjectState;
}

/** Where the manifest's original is now: still in the ingest bucket, else in the archive. */
async function locate(manifest: AssetManifest, deps: OriginalAccessDeps): Promise<Located | null> {
  const ingest = { bucket: manifest.source.bucket, key: manifest.source.key };
  const archive = {
    bucket: deps.archiveBucket,
    key: archiveKey({
      tenantId: manifest.tenantId,
      assetId: manifest.assetId,
      fileName: manifest.source.fileName,
    }),
  };
  const [inIngest, inArchive] = await Promise.all([
    deps.store.describe(ingest),
    deps.store.describe(archive),
  ]);
  // Still in the ingest bucket (not archived yet, or between the archiver's copy and delete): read
  // it there, without a restore. An ingest object with another ETag is a newer upload of the key.
  if (inIngest && inIngest.eTag === manifest.source.eTag) {
    return { location: 'ingest', ref: ingest, state: inIngest };
  }
  if (inArchive) return { location: 'archive', ref: archive, state: inArchive };
  return null;
}

async function statusOf(
  manifest: AssetManifest,
  found: Located | null,
  deps: OriginalAccessDeps,
): Promise<OriginalStatus> {
  if (!found) return { location: 'missing', availability: 'missing' };
  const { state } = found;
  const availability = availabilityOf(state);
  const status: OriginalStatus = {
    location: found.location,
    availability,
    storageClass: state.storageClass as OriginalStatus['storageClass'],
    size: state.size,
    ...(state.archiveStatus ? { archiveAccessTier: state.archiveStatus } : {}),
    ...(availability === 'restored' && state.restore?.expiresAt
      ? { restoreExpiresAt: state.restore.expiresAt }
      : {}),
  };
  if (availability === 'available' || availability === 'restored') {
    const ttl = deps.downloadUrlTtlSeconds ?? DEFAULT_DOWNLOAD_URL_TTL_SECONDS;
    const issuedAt = deps.now?.() ?? new Date();
    status.download = {
      url: await deps.store.downloadUrl(found.ref, {
        fileName: manifest.source.fileName,
        expiresInSeconds: ttl,
        versionId: state.versionId,
      }),
      expiresAt: new Date(issuedAt.getTime() + ttl * 1000).toISOString(),
    };
  }
  return status;
}

/**
 * Where an asset's original is, whether it can be read now (or how its restore is going), and a
 * short-lived download URL when it can. The caller has checked the manifest's tenant.
 */
export async function describeOriginal(
  manifest: AssetManifest,
  deps: OriginalAccessDeps,
): Promise<OriginalStatus> {
  return statusOf(manifest, await locate(manifest, deps), deps);
}

/** The original is not there to restore: a 404 for an API. */
export class OriginalNotFoundError extends Error {
  constructor(assetId: string) {
    super(`The original of asset ${assetId} is neither in the ingest nor in the archive bucket`);
    this.name = 'OriginalNotFoundError';
  }
}

/**
 * Requests a restore of an archived original (tier and days checked against its storage class;
 * RestoreRequestError for a request no restore can satisfy), and answers its status. Safe to
 * repeat: a second request while one runs is reported as in-progress, one after completion
 * extends the restored copy's expiry, and an original readable without a restore needs none.
 */
export async function restoreOriginal(
  manifest: AssetManifest,
  request: { tier?: string; days?: number },
  deps: OriginalAccessDeps,
): Promise<OriginalStatus> {
  const found = await locate(manifest, deps);
  if (!found) throw new OriginalNotFoundError(manifest.assetId);
  const availability = availabilityOf(found.state);
  if (availability === 'available') {
    return { ...(await statusOf(manifest, found, deps)), restoreRequested: 'not-needed' };
  }
  const parameters = restoreParameters(found.state, request);
  const outcome = await deps.store.requestRestore(found.ref, parameters);
  const after = await deps.store.describe(found.ref);
  const status = await statusOf(manifest, after ? { ...found, state: after } : null, deps);
  // S3 answers 409 to a request while a restore runs; an emulator may answer 200: trust the object.
  const requested =
    outcome === 'already-restored' && status.availability === 'restoring' ? 'in-progress' : outcome;
  return { ...status, restoreRequested: requested };
}
