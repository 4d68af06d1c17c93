import {
  type Logger,
  logPipelineStep,
  type ObjectStore,
  type Outcome,
  parseManifestKey,
  type S3ObjectEvent,
} from '@sluice/runtime';
import type { IndexStore } from '@sluice/search';
import type { DocumentStore } from '../ports/document-store';

export interface RemoveManifestDeps {
  objects: ObjectStore;
  documents: DocumentStore;
  search: IndexStore;
  logger: Logger;
}

/**
 * A manifest was deleted: its asset leaves the index. Events may come late or out of order, so the
 * bucket decides: a manifest that exists again (reprocessed since) keeps its document.
 */
export async function removeManifest(event: S3ObjectEvent, deps: RemoveManifestDeps): Promise<Outcome> {
  const started = performance.now();
  const assetId = parseManifestKey(event.key);
  const log = (outcome: Outcome, message: string) =>
    logPipelineStep(deps.logger, message, {
      assetId: assetId ?? 'unknown',
      stage: 'unindex',
      outcome,
      durationMs: performance.now() - started,
      key: event.key,
    });
  if (!assetId) {
    log('skipped', 'Not a manifest key');
    return 'skipped';
  }
  if (await deps.objects.head(event.bucket, event.key)) {
    log('skipped', 'Manifest exists again; its document stays');
    return 'skipped';
  }
  const removed = await deps.search.remove(assetId);
  if (removed) await deps.documents.delete(removed.tenantId, assetId);
  log(removed ? 'succeeded' : 'skipped', removed ? 'Removed asset from the index' : 'Asset was not indexed');
  return removed ? 'succeeded' : 'skipped';
}
