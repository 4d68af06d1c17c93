import { type AssetManifest, type PipelineEvent, validate } from '@sluice/contracts';
import {
  type Logger,
  logPipelineStep,
  manifestKey,
  type PipelineEventInput,
  type PipelineEventPublisher,
  parseArchiveKey,
  parseManifestKey,
  parseUploadKey,
  type UploadLocation,
  uploadKey,
} from '@sluice/runtime';
import { type ProcessUploadDeps, processUpload } from '../app/process-upload';
import type { OriginalStore, OutputStore } from '../ports/storage';
import { ForgetManifestOutputs } from './forget-manifest-outputs';

/** A task's outcome, in S3 Batch Operations' terms. */
export interface TaskOutcome {
  resultCode: 'Succeeded' | 'TemporaryFailure' | 'PermanentFailure';
  resultString: string;
}

/** The object a task names: an original (uploads/ or originals/) or a manifest (manifests/). */
export interface TaskObject {
  bucket: string;
  key: string;
}

export interface ReprocessDeps {
  /** processUpload's dependencies, as the pipeline's processor has them (same presets and limits). */
  process: ProcessUploadDeps;
  /** Builds the per-task view of originals: the ingest bucket, falling back to the archive. */
  originalsFor: () => OriginalStore & { sourceOf(key: string): 'ingest' | 'archive' };
  buckets: { ingest: string; processed: string; archive: string };
  logger: Logger;
}

const SYNTHETIC_SEQUENCER = '0';

function permanent(code: string, message: string): TaskOutcome {
  return { resultCode: 'PermanentFailure', resultString: `${code}: ${message}`.slice(0, 1024) };
}

async function readManifest(outputs: OutputStore, key: string): Promise<AssetManifest | null> {
  const stored = await outputs.getManifest(key);
  if (!stored) return null;
  const result = validate('asset-manifest/v1', stored.doc);
  return result.ok ? result.value : null;
}

/** Publishes as usual and remembers what was published (the task's result reports a rejection's reason). */
class WitnessingPublisher implements PipelineEventPublisher {
  readonly published: PipelineEvent[] = [];
  constructor(private readonly inner: PipelineEventPublisher) {}
  async publish(input: PipelineEventInput): Promise<PipelineEvent> {
    const event = await this.inner.publish(input);
    this.published.push(event);
    return event;
  }
}

/** The upload a task is about, or why the task names nothing this job can reprocess. */
async function locate(
  task: TaskObject,
  deps: ReprocessDeps,
): Promise<{ location: UploadLocation } | { failure: TaskOutcome }> {
  const { buckets } = deps;
  let location: UploadLocation | null = null;
  if (task.bucket === buckets.ingest) location = parseUploadKey(task.key);
  else if (task.bucket === buckets.archive) location = parseArchiveKey(task.key);
  else if (task.bucket === buckets.processed) {
    const assetId = parseManifestKey(task.key);
    const manifest = assetId ? await readManifest(deps.process.outputs, task.key) : null;
    if (assetId && !manifest)
      return { failure: permanent('manifest-not-found', `no valid manifest at ${task.key}`) };
    location = manifest ? parseUploadKey(manifest.source.key) : null;
  }
  if (!location) {
    return {
      failure: permanent(
        'unsupported-object',
        `${task.bucket}/${task.key} is neither an original (uploads/ in ${buckets.ingest}, originals/ in ${buckets.archive}) nor a manifest (manifests/ in ${buckets.processed})`,
      ),
    };
  }
  return { location };
}

/**
 * Runs the processor again on one asset's original, wherever it is now (ingest or archive), with
 * the processor's current configuration: a preset change regenerates every rendition, renditions of
 * presets no longer configured are removed, and the manifest is rewritten (which re-indexes the
 * asset; the archiver finds its original archived already). The same write of the same key keeps
 * its S3 sequencer, so a reprocess never overrides a newer upload of the key.
 */
export async function reprocessObject(task: TaskObject, deps: ReprocessDeps): Promise<TaskOutcome> {
  const started = performance.now();
  const located = await locate(task, deps);
  if ('failure' in located) return located.failure;
  const { location } = located;
  const log = (outcome: 'succeeded' | 'rejected' | 'skipped' | 'failed', message: string, extra = {}) =>
    logPipelineStep(deps.logger, message, {
      assetId: location.assetId,
      stage: 'reprocess',
      outcome,
      durationMs: performance.now() - started,
      task: `${task.bucket}/${task.key}`,
      ...extra,
    });

  const key = uploadKey(location);
  const mKey = manifestKey(location.assetId);
  const outputs = deps.process.outputs;
  const previous = await readManifest(outputs, mKey);
  if (previous && previous.source.key !== key) {
    return permanent(
      'asset-id-conflict',
      `asset ${location.assetId} holds ${previous.source.key}, not ${key}`,
    );
  }
  const originals = deps.originalsFor();
  if (!(await originals.head(key))) {
    log('failed', 'Original neither in the ingest nor in the archive bucket');
    return permanent('original-not-found', `${key} is neither in ${deps.buckets.ingest} nor archived`);
  }
  const sequencer = previous?.source.sequencer ?? SYNTHETIC_SEQUENCER;
  const events = new WitnessingPublisher(deps.process.events);
  const outcome = await processUpload(
    {
      eventName: 'ObjectCreated:Put',
      eventTime: new Date().toISOString(),
      bucket: deps.buckets.ingest,
      key,
      sequencer,
    },
    { ...deps.process, originals, events, outputs: new ForgetManifestOutputs(outputs, mKey) },
  );
  const from = originals.sourceOf(key);

  if (outcome === 'rejected') {
    const rejection = events.published.find((e) => e.type === 'asset.rejected');
    const detail = rejection?.detail as { reason?: string; message?: string } | undefined;
    log('rejected', 'Reprocess rejected the original', { from, reason: detail?.reason });
    return permanent(
      'rejected',
      detail ? `${detail.reason}: ${detail.message}` : 'the processor rejected the original',
    );
  }
  if (outcome === 'skipped') {
    return {
      resultCode: 'Succeeded',
      resultString: JSON.stringify({ assetId: location.assetId, outcome: 'skipped', from }),
    };
  }
  // Renditions the previous manifest listed that the current presets no longer make.
  const current = await readManifest(outputs, mKey);
  const kept = new Set(current?.renditions.map((r) => r.key));
  let removed = 0;
  for (const old of previous?.renditions ?? []) {
    if (!kept.has(old.key) && (await outputs.deleteUnlessNewer(old.key, sequencer)) === 'deleted')
      removed += 1;
  }
  log('succeeded', 'Reprocessed original', { from, renditions: current?.renditions.length ?? 0, removed });
  return {
    resultCode: 'Succeeded',
    resultString: JSON.stringify({
      assetId: location.assetId,
      outcome: 'reprocessed',
      from,
      renditions: current?.renditions.length ?? 0,
      removed,
    }),
  };
}
