import { assertValid } from '@sluice/contracts';
import {
  compareSequencers,
  type Logger,
  loadManifest,
  logPipelineStep,
  type ObjectStore,
  type Outcome,
  type PipelineEventPublisher,
  type S3ObjectEvent,
} from '@sluice/runtime';
import { buildIndexDocument } from '../domain/index-document';
import type { IndexStore } from '../ports/index-store';

export interface IndexManifestDeps {
  objects: ObjectStore;
  store: IndexStore;
  events: PipelineEventPublisher;
  logger: Logger;
  now?: () => Date;
}

/** Indexes the manifest an S3 event points at; replays and stale manifests change nothing. */
export async function indexManifest(event: S3ObjectEvent, deps: IndexManifestDeps): Promise<Outcome> {
  const started = performance.now();
  const manifest = await loadManifest(deps.objects, event);
  const log = (outcome: Outcome, message: string) =>
    logPipelineStep(deps.logger, message, {
      assetId: manifest?.assetId ?? 'unknown',
      stage: 'index',
      outcome,
      durationMs: performance.now() - started,
      key: event.key,
    });
  if (!manifest) {
    log('skipped', 'Manifest no longer exists');
    return 'skipped';
  }
  const existing = await deps.store.get(manifest.tenantId, manifest.assetId);
  if (existing && compareSequencers(existing.sourceSequencer, manifest.source.sequencer) >= 0) {
    log('skipped', 'Index document is as new as this manifest');
    return 'skipped';
  }
  const document = assertValid(
    'index-document/v1',
    buildIndexDocument(manifest, existing, deps.now?.() ?? new Date()),
  );
  await deps.store.put(document);
  await deps.events.publish({
    type: 'asset.indexed',
    assetId: manifest.assetId,
    tenantId: manifest.tenantId,
    detail: { documentKey: deps.store.locate(manifest.tenantId, manifest.assetId) },
  });
  log('succeeded', 'Indexed asset');
  return 'succeeded';
}
