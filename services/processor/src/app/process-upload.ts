import { createHash } from 'node:crypto';
import type { AssetManifest } from '@sluice/contracts';
import { assertValid } from '@sluice/contracts';
import {
  type Logger,
  logPipelineStep,
  manifestKey,
  type ObjectStore,
  type Outcome,
  type PipelineEventPublisher,
  parseUploadKey,
  quarantineKey,
  rejectionKey,
  renditionKey,
  type S3ObjectEvent,
} from '@sluice/runtime';
import type { RenditionPreset } from '../domain/presets';
import { AssetRejectedError } from '../domain/rejection';
import type { ImageRenderer } from '../ports/image-renderer';

export const PROCESSOR_VERSION = '0.1.0';

export interface ProcessUploadDeps {
  objects: ObjectStore;
  renderer: ImageRenderer;
  events: PipelineEventPublisher;
  logger: Logger;
  presets: readonly RenditionPreset[];
  ingestBucket: string;
  processedBucket: string;
  now?: () => Date;
}

const CONTENT_TYPES: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
  heif: 'image/heif',
  tiff: 'image/tiff',
};

/** Renditions and a manifest for one uploaded object; bad input ends as asset.rejected. */
export async function processUpload(event: S3ObjectEvent, deps: ProcessUploadDeps): Promise<Outcome> {
  const started = performance.now();
  const location = parseUploadKey(event.key);
  const log = (outcome: Outcome, message: string, extra: Record<string, unknown> = {}) =>
    logPipelineStep(deps.logger, message, {
      assetId: location?.assetId ?? 'unknown',
      stage: 'process',
      outcome,
      durationMs: performance.now() - started,
      key: event.key,
      ...extra,
    });

  if (!location) {
    // Without a tenant and asset id there is nobody to tell: the object stays where it is, logged.
    log('rejected', 'Key outside the uploads/{tenantId}/{assetId}/{fileName} layout', {
      reason: 'invalid-key',
    });
    return 'rejected';
  }
  const original = await deps.objects.get(deps.ingestBucket, event.key);
  if (!original) {
    log('skipped', 'Original no longer in the ingest bucket (archived or deleted since)');
    return 'skipped';
  }

  const sha256 = createHash('sha256').update(original.body).digest('hex');
  try {
    const image = original.body.length > 0 ? await deps.renderer.inspect(original.body) : null;
    const rendered = image ? await deps.renderer.render(original.body, deps.presets) : [];
    const renditions = [];
    for (const r of rendered) {
      const key = renditionKey(location.assetId, r.preset, r.format);
      const contentType = CONTENT_TYPES[r.format] ?? 'application/octet-stream';
      await deps.objects.put({
        bucket: deps.processedBucket,
        key,
        body: r.body,
        contentType,
        cacheControl: 'public, max-age=31536000, immutable',
      });
      renditions.push({
        preset: r.preset,
        format: r.format,
        key,
        width: r.width,
        height: r.height,
        bytes: r.body.length,
        contentType,
      });
    }
    const detectedMime = image
      ? (CONTENT_TYPES[image.format] ?? 'application/octet-stream')
      : 'application/octet-stream';
    const manifest: AssetManifest = assertValid('asset-manifest/v1', {
      assetId: location.assetId,
      tenantId: location.tenantId,
      source: {
        bucket: deps.ingestBucket,
        key: event.key,
        size: original.size,
        eTag: original.eTag ?? event.eTag ?? '',
        ...(original.versionId ? { versionId: original.versionId } : {}),
        sequencer: event.sequencer,
        ...(original.contentType ? { declaredContentType: original.contentType } : {}),
        fileName: location.fileName,
      },
      sha256,
      detected: {
        mime: detectedMime,
        kind: image ? 'image' : 'other',
        mismatch: original.contentType !== undefined && original.contentType !== detectedMime,
      },
      renditions,
      processedAt: (deps.now?.() ?? new Date()).toISOString(),
      processorVersion: PROCESSOR_VERSION,
      ...(image
        ? {
            image: {
              width: image.width,
              height: image.height,
              format: image.format,
              frames: image.frames,
              colorSpace: image.colorSpace,
              hasAlpha: image.hasAlpha,
              orientation: image.orientation ?? 1,
              animated: image.frames > 1,
            },
          }
        : {}),
    });
    // The manifest goes last: its creation is what triggers the indexer and the archiver.
    const key = manifestKey(location.assetId);
    await deps.objects.putJson(deps.processedBucket, key, manifest);
    await deps.events.publish({
      type: 'asset.processed',
      assetId: location.assetId,
      tenantId: location.tenantId,
      detail: { manifestKey: key, renditions: renditions.length },
    });
    log('succeeded', 'Processed upload', { renditions: renditions.length, bytes: original.size });
    return 'succeeded';
  } catch (error) {
    if (!(error instanceof AssetRejectedError)) throw error;
    const quarantined = quarantineKey(location);
    await deps.objects.copy(
      { bucket: deps.ingestBucket, key: event.key },
      { bucket: deps.ingestBucket, key: quarantined },
    );
    // The durable answer to "why" (GET /assets/{id} reads it), before the original leaves uploads/.
    await deps.objects.putJson(
      deps.processedBucket,
      rejectionKey(location.assetId),
      assertValid('rejection-record/v1', {
        assetId: location.assetId,
        tenantId: location.tenantId,
        reason: error.reason,
        message: error.message,
        stage: 'process',
        rejectedAt: (deps.now?.() ?? new Date()).toISOString(),
        sourceKey: event.key,
        sourceSequencer: event.sequencer,
        quarantineKey: quarantined,
      }),
    );
    await deps.objects.delete(deps.ingestBucket, event.key);
    await deps.events.publish({
      type: 'asset.rejected',
      assetId: location.assetId,
      tenantId: location.tenantId,
      detail: { reason: error.reason, message: error.message, stage: 'process', quarantineKey: quarantined },
    });
    log('rejected', 'Rejected upload', { reason: error.reason, sha256 });
    return 'rejected';
  }
}
