import { type AssetManifest, validate } from '@sluice/contracts';
import { MalformedMessageError, type S3ObjectEvent } from './s3-events';
import type { ObjectStore } from './s3-objects';

/**
 * The manifest an S3 event points at, validated; null when it is gone (deleted since the event).
 * An invalid manifest is a producer bug no retry fixes: it fails its record into the DLQ.
 */
export async function loadManifest(
  objects: ObjectStore,
  event: S3ObjectEvent,
): Promise<AssetManifest | null> {
  const doc = await objects.getJson(event.bucket, event.key);
  if (doc === null) return null;
  const result = validate('asset-manifest/v1', doc);
  if (!result.ok)
    throw new MalformedMessageError(`Invalid manifest ${event.key}: ${result.errors.join('; ')}`);
  return result.value;
}
