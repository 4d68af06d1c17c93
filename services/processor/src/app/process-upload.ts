import { createHash } from 'node:crypto';
import type { AssetManifest, Exif, RejectionRecord, TextExtract } from '@sluice/contracts';
import { assertValid, validate } from '@sluice/contracts';
import {
  compareSequencers,
  type Logger,
  logPipelineStep,
  manifestKey,
  type Outcome,
  type PipelineEventPublisher,
  parseUploadKey,
  quarantineKey,
  rejectionKey,
  renditionKey,
  type S3ObjectEvent,
  type UploadLocation,
} from '@sluice/runtime';
import { deterministicEventId } from '../domain/event-id';
import { readExif } from '../domain/exif';
import { DETECTION_BYTES, type DetectedFileType, detectFileType } from '../domain/file-type';
import { declaredMismatch, normalizeDeclaredType } from '../domain/media-type';
import { orderAgainst } from '../domain/ordering';
import type { RenditionPreset } from '../domain/presets';
import { AssetRejectedError } from '../domain/rejection';
import { TEXT_EXTRACT_BYTES, textExtract } from '../domain/text';
import type { ImageFacts, ImageRenderer, RenderResult } from '../ports/image-renderer';
import type { OriginalHead, OriginalStore, OutputStore } from '../ports/storage';

export const PROCESSOR_VERSION = '0.2.0';

/** Renditions are immutable per asset write: clients and CloudFront may cache them for a year. */
const RENDITION_CACHE_CONTROL = 'public, max-age=31536000, immutable';

export interface ProcessUploadDeps {
  originals: OriginalStore;
  outputs: OutputStore;
  renderer: ImageRenderer;
  events: PipelineEventPublisher;
  logger: Logger;
  presets: readonly RenditionPreset[];
  /**
   * Largest image decoded (bytes of the encoded file). Larger images are rejected as too-large;
   * larger files of other kinds pass through, hashed as a stream, never held in memory.
   */
  maxImageBytes: number;
  ingestBucket: string;
  processedBucket: string;
  now?: () => Date;
}

/** What is known about an upload once its bytes were read. */
interface Inspected {
  head: OriginalHead;
  sha256: string;
  detected: DetectedFileType;
  image?: { facts: ImageFacts; exif?: Exif; rendered: RenderResult };
  text?: TextExtract;
}

function stripQuotes(eTag: string | undefined): string | undefined {
  return eTag?.replace(/^"|"$/g, '');
}

export interface ProcessUploadOptions {
  /**
   * Process again even if this very write was processed already (S3 Batch Operations after a
   * preset change): renditions are remade with the current presets, ones no preset makes any more
   * are removed, and asset.processed gets a fresh id. Ordering still holds: output of a newer
   * write of the key is never replaced.
   */
  reprocess?: boolean;
}

/**
 * Renditions and a manifest for one uploaded object; bad input ends as asset.rejected with the
 * original in quarantine. Idempotent: a replayed event does no work and writes nothing, and an event
 * older than what was already processed for its key changes nothing.
 */
export async function processUpload(
  event: S3ObjectEvent,
  deps: ProcessUploadDeps,
  options: ProcessUploadOptions = {},
): Promise<Outcome> {
  const started = performance.now();
  const location = parseUploadKey(event.key);
  const log = (outcome: Outcome, message: string, extra: Record<string, unknown> = {}) =>
    logPipelineStep(deps.logger, message, {
      assetId: location?.assetId ?? 'unknown',
      stage: 'process',
      outcome,
      durationMs: performance.now() - started,
      key: event.key,
      sequencer: event.sequencer,
      ...extra,
    });

  if (!location) {
    // Without a tenant and asset id there is nobody to tell: the object stays where it is, logged.
    log('rejected', 'Key outside the uploads/{tenantId}/{assetId}/{fileName} layout', {
      reason: 'invalid-key',
    });
    return 'rejected';
  }

  const head = await deps.originals.head(event.key);
  if (!head) {
    // The original moved on (archived, quarantined or deleted) since this event. If this very write
    // was processed or rejected, announce it again under the same event id: the first announcement
    // may have been lost (a crash or an SNS error after the work, then the archiver moved the file).
    if (await reannounce(event, location, deps)) {
      log('skipped', 'Already done (replayed event; the original has moved on since)', { reason: 'replay' });
      return 'skipped';
    }
    log('skipped', 'Original no longer in the ingest bucket (archived, quarantined or deleted since)');
    return 'skipped';
  }
  if (event.eTag && stripQuotes(head.eTag) !== stripQuotes(event.eTag)) {
    // The key was overwritten after this event: the newer write's own event processes it.
    log('skipped', 'Original overwritten since this event', { reason: 'superseded' });
    return 'skipped';
  }

  const mKey = manifestKey(location.assetId);
  const previous = await readManifest(deps, mKey);
  const decision = orderAgainst(previous ? previous.source : null, event);
  if (decision.action === 'replay' && !options.reprocess) {
    // Done before: announce again under the same event id (the first announcement may have been
    // lost to a crash between the manifest write and the publish); consumers deduplicate on it.
    await announceProcessed(deps, location, event, previous?.renditions.length ?? 0);
    log('skipped', 'Already processed (replayed event)', { reason: 'replay' });
    return 'skipped';
  }
  if (decision.action === 'stale') {
    log('skipped', 'A newer write of this key was processed already', {
      reason: 'stale-event',
      newerSequencer: decision.newerSequencer,
    });
    return 'skipped';
  }

  try {
    if (decision.action === 'conflict') {
      throw new AssetRejectedError(
        'asset-id-conflict',
        `Asset ${location.assetId} already holds another file (${decision.otherKey}); an asset id names one upload`,
      );
    }
    const inspected = await inspect(event, head, deps);
    if (!inspected) {
      log('skipped', 'Original overwritten or removed while it was read', { reason: 'superseded' });
      return 'skipped';
    }
    return await publishOutputs(event, location, inspected, previous, deps, log, options.reprocess === true);
  } catch (error) {
    if (!(error instanceof AssetRejectedError)) throw error;
    return await reject(event, location, head, error, deps, log);
  }
}

/** Announces again what this very write came to, if it was processed or rejected; false if neither. */
async function reannounce(
  event: S3ObjectEvent,
  location: UploadLocation,
  deps: ProcessUploadDeps,
): Promise<boolean> {
  const manifest = await readManifest(deps, manifestKey(location.assetId));
  if (manifest && orderAgainst(manifest.source, event).action === 'replay') {
    await announceProcessed(deps, location, event, manifest.renditions.length);
    return true;
  }
  const stored = await deps.outputs.getManifest(rejectionKey(location.assetId));
  const record = stored ? validate('rejection-record/v1', stored.doc) : null;
  if (
    record?.ok &&
    record.value.sourceKey === event.key &&
    record.value.sourceSequencer !== undefined &&
    compareSequencers(record.value.sourceSequencer, event.sequencer) === 0
  ) {
    await announceRejected(deps, location, event, record.value);
    return true;
  }
  return false;
}

async function readManifest(deps: ProcessUploadDeps, key: string): Promise<AssetManifest | null> {
  const stored = await deps.outputs.getManifest(key);
  if (!stored) return null;
  const result = validate('asset-manifest/v1', stored.doc);
  if (!result.ok) {
    // An unreadable manifest is replaced; its sequencer stamp still guards the write.
    deps.logger.warn('Existing manifest is invalid; it will be replaced', { key, errors: result.errors });
    return null;
  }
  return result.value;
}

async function inspect(
  event: S3ObjectEvent,
  head: OriginalHead,
  deps: ProcessUploadDeps,
): Promise<Inspected | null> {
  if (head.size === 0) throw new AssetRejectedError('empty-file', 'The file is empty (0 bytes)');

  if (head.size > deps.maxImageBytes) {
    // Too big to hold in memory: sniff the start, hash the rest as a stream.
    const start = await deps.originals.readStart(event.key, head.eTag, DETECTION_BYTES + 4);
    if (!start) return null;
    const detected = detectFileType(start, false);
    if (detected.kind === 'image') {
      throw new AssetRejectedError(
        'too-large',
        `Image is ${head.size} bytes; images over ${deps.maxImageBytes} bytes are not processed`,
      );
    }
    const sha256 = await deps.originals.sha256(event.key, head.eTag);
    if (!sha256) return null;
    const text =
      detected.kind === 'text' ? textExtract(start.subarray(0, TEXT_EXTRACT_BYTES + 4), head.size) : null;
    return { head, sha256, detected, ...(text ? { text } : {}) };
  }

  const body = await deps.originals.read(event.key, head.eTag);
  if (!body) return null;
  const sha256 = createHash('sha256').update(body).digest('hex');
  const detected = detectFileType(body, true);
  if (detected.kind === 'image') {
    const facts = await deps.renderer.inspect(body, detected);
    const [exif, rendered] = await Promise.all([
      readExif(body),
      deps.renderer.render(body, facts, deps.presets),
    ]);
    return { head, sha256, detected, image: { facts, ...(exif ? { exif } : {}), rendered } };
  }
  const text =
    detected.kind === 'text' ? textExtract(body.subarray(0, TEXT_EXTRACT_BYTES + 4), head.size) : null;
  return { head, sha256, detected, ...(text ? { text } : {}) };
}

async function publishOutputs(
  event: S3ObjectEvent,
  location: UploadLocation,
  inspected: Inspected,
  previous: AssetManifest | null,
  deps: ProcessUploadDeps,
  log: (outcome: Outcome, message: string, extra?: Record<string, unknown>) => void,
  reprocess: boolean,
): Promise<Outcome> {
  const { head, detected, image } = inspected;
  const rendered = image?.rendered.renditions ?? [];
  const renditions = rendered.map((r) => ({
    preset: r.preset,
    format: r.format,
    key: renditionKey(location.assetId, r.preset, r.format),
    width: r.width,
    height: r.height,
    bytes: r.body.length,
    contentType: r.contentType,
  }));
  const declared = normalizeDeclaredType(head.contentType);
  const processedAt = (deps.now?.() ?? new Date()).toISOString();
  const manifest: AssetManifest = assertValid('asset-manifest/v1', {
    assetId: location.assetId,
    tenantId: location.tenantId,
    source: {
      bucket: deps.ingestBucket,
      key: event.key,
      size: head.size,
      eTag: head.eTag || event.eTag || 'unknown',
      ...(head.versionId ? { versionId: head.versionId } : {}),
      sequencer: event.sequencer,
      ...(declared ? { declaredContentType: declared } : {}),
      fileName: location.fileName,
    },
    sha256: inspected.sha256,
    detected: {
      mime: detected.mime,
      kind: detected.kind,
      ...(detected.ext ? { ext: detected.ext } : {}),
      mismatch: declaredMismatch(declared, detected),
    },
    renditions,
    processedAt,
    processorVersion: PROCESSOR_VERSION,
    ...(image
      ? {
          image: {
            width: image.facts.width,
            height: image.facts.height,
            format: image.facts.format,
            frames: image.facts.frames,
            colorSpace: image.facts.colorSpace,
            hasAlpha: image.facts.hasAlpha,
            orientation: image.facts.orientation,
            ...(image.facts.pages ? { pages: image.facts.pages } : {}),
            animated: image.facts.animated,
          },
          ...(image.exif ? { exif: image.exif } : {}),
          dominantColor: image.rendered.pixels.dominantColor,
          placeholder: image.rendered.pixels.placeholder,
          perceptualHash: image.rendered.pixels.perceptualHash,
        }
      : {}),
    ...(inspected.text ? { text: inspected.text } : {}),
  });

  const results = await Promise.all(
    rendered.map((r, i) =>
      deps.outputs.putUnlessNewer({
        key: renditions[i]?.key ?? '',
        body: r.body,
        contentType: r.contentType,
        cacheControl: RENDITION_CACHE_CONTROL,
        sequencer: event.sequencer,
      }),
    ),
  );
  // The manifest goes last: its creation is what triggers the indexer and the archiver.
  const mKey = manifestKey(location.assetId);
  if (
    results.includes('superseded') ||
    (await deps.outputs.putUnlessNewer({
      key: mKey,
      body: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`),
      contentType: 'application/json',
      cacheControl: 'no-cache',
      sequencer: event.sequencer,
    })) === 'superseded'
  ) {
    log('skipped', 'A newer write of this key was processed meanwhile; its outputs stand', {
      reason: 'superseded',
    });
    return 'skipped';
  }
  // Renditions of an older write that this one no longer makes (e.g. a photo replaced by a PDF).
  const current = new Set(renditions.map((r) => r.key));
  for (const old of previous?.renditions ?? []) {
    if (!current.has(old.key)) await deps.outputs.deleteUnlessNewer(old.key, event.sequencer);
  }
  await announceProcessed(deps, location, event, renditions.length, reprocess ? processedAt : undefined);
  log('succeeded', reprocess ? 'Reprocessed upload' : 'Processed upload', {
    renditions: renditions.length,
    bytes: head.size,
    mime: detected.mime,
    kind: detected.kind,
    mismatch: manifest.detected.mismatch,
  });
  return 'succeeded';
}

async function announceProcessed(
  deps: ProcessUploadDeps,
  location: UploadLocation,
  event: S3ObjectEvent,
  renditions: number,
  /** A reprocessing run's timestamp: a new announcement, not a repeat of the first one. */
  reprocessedAt?: string,
): Promise<void> {
  const idParts = ['asset.processed', location.assetId, event.key, event.sequencer];
  await deps.events.publish({
    id: deterministicEventId(...idParts, ...(reprocessedAt ? [reprocessedAt] : [])),
    type: 'asset.processed',
    assetId: location.assetId,
    tenantId: location.tenantId,
    detail: { manifestKey: manifestKey(location.assetId), renditions },
  });
}

async function reject(
  event: S3ObjectEvent,
  location: UploadLocation,
  head: OriginalHead,
  error: AssetRejectedError,
  deps: ProcessUploadDeps,
  log: (outcome: Outcome, message: string, extra?: Record<string, unknown>) => void,
): Promise<Outcome> {
  const quarantined = quarantineKey(location);
  // The durable answer to "why" (rejection-record/v1), read by GET /assets/{id}; before the move.
  await deps.outputs.putUnlessNewer({
    key: rejectionKey(location.assetId),
    body: Buffer.from(
      `${JSON.stringify(
        assertValid('rejection-record/v1', {
          assetId: location.assetId,
          tenantId: location.tenantId,
          reason: error.reason,
          message: error.message.slice(0, 1024),
          stage: 'process',
          rejectedAt: (deps.now?.() ?? new Date()).toISOString(),
          sourceKey: event.key,
          sourceSequencer: event.sequencer,
          quarantineKey: quarantined,
        }),
      )}\n`,
    ),
    contentType: 'application/json',
    sequencer: event.sequencer,
  });
  if ((await deps.originals.quarantine(event.key, head.eTag, quarantined)) === 'changed') {
    log('skipped', 'Original overwritten or removed before it could be quarantined', {
      reason: 'superseded',
      rejection: error.reason,
    });
    return 'skipped';
  }
  await announceRejected(deps, location, event, {
    reason: error.reason,
    message: error.message.slice(0, 1024),
    quarantineKey: quarantined,
  });
  log('rejected', 'Rejected upload', { reason: error.reason, detail: error.message.slice(0, 300) });
  return 'rejected';
}

async function announceRejected(
  deps: ProcessUploadDeps,
  location: UploadLocation,
  event: S3ObjectEvent,
  rejection: Pick<RejectionRecord, 'reason' | 'message' | 'quarantineKey'>,
): Promise<void> {
  await deps.events.publish({
    id: deterministicEventId('asset.rejected', location.assetId, event.key, event.sequencer),
    type: 'asset.rejected',
    assetId: location.assetId,
    tenantId: location.tenantId,
    detail: {
      reason: rejection.reason,
      message: rejection.message,
      stage: 'process',
      quarantineKey: rejection.quarantineKey ?? quarantineKey(location),
    },
  });
}
