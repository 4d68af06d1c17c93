import { type AssetManifest, assertValid, type IndexDocument } from '@sluice/contracts';
import {
  deterministicEventId,
  type Logger,
  loadManifest,
  logPipelineStep,
  type ObjectStore,
  type Outcome,
  type PipelineEventPublisher,
  type S3ObjectEvent,
} from '@sluice/runtime';
import { documentVersion, type Embedder, type IndexStore } from '@sluice/search';
import { buildIndexDocument, embeddingText, smallestRendition } from '../domain/index-document';
import type { DocumentStore } from '../ports/document-store';

export interface IndexManifestDeps {
  objects: ObjectStore;
  /** The processed bucket: manifests and renditions. */
  processedBucket: string;
  documents: DocumentStore;
  search: IndexStore;
  embedder: Embedder;
  events: PipelineEventPublisher;
  logger: Logger;
  now?: () => Date;
}

/** The vector of a document: its words, and the smallest rendition the embedder can look at. */
export async function embedDocument(
  manifest: AssetManifest,
  document: IndexDocument,
  deps: Pick<IndexManifestDeps, 'objects' | 'processedBucket' | 'embedder'>,
): Promise<Float32Array | null> {
  const rendition = smallestRendition(manifest, deps.embedder.imageContentTypes);
  const stored = rendition ? await deps.objects.get(deps.processedBucket, rendition.key) : null;
  return deps.embedder.embedDocument({
    text: embeddingText(document),
    ...(stored && rendition ? { image: { bytes: stored.body, contentType: rendition.contentType } } : {}),
    ...(manifest.perceptualHash ? { perceptualHash: manifest.perceptualHash } : {}),
    ...(manifest.dominantColor ? { dominantColor: manifest.dominantColor } : {}),
    ...(manifest.placeholder ? { placeholder: manifest.placeholder } : {}),
  });
}

/**
 * Indexes the manifest an S3 event points at: the search index and the durable JSON copy.
 * Ordered by (upload sequencer, manifest processedAt): replays and stale manifests change nothing;
 * a crash between the two writes is finished by the retry.
 */
export async function indexManifest(event: S3ObjectEvent, deps: IndexManifestDeps): Promise<Outcome> {
  const started = performance.now();
  const manifest = await loadManifest(deps.objects, event);
  const log = (outcome: Outcome, message: string, extra: Record<string, unknown> = {}) =>
    logPipelineStep(deps.logger, message, {
      assetId: manifest?.assetId ?? 'unknown',
      stage: 'index',
      outcome,
      durationMs: performance.now() - started,
      key: event.key,
      ...extra,
    });
  if (!manifest) {
    log('skipped', 'Manifest no longer exists');
    return 'skipped';
  }
  const version = documentVersion({
    sourceSequencer: manifest.source.sequencer,
    processedAt: manifest.processedAt,
  });
  const [existing, indexed] = await Promise.all([
    deps.documents.get(manifest.tenantId, manifest.assetId),
    deps.search.get(manifest.tenantId, manifest.assetId),
  ]);
  const isCurrent = (doc: IndexDocument | null) => doc !== null && documentVersion(doc) >= version;
  if (existing && documentVersion(existing) > version) {
    log('skipped', 'A newer manifest of this asset is indexed already');
    return 'skipped';
  }
  if (isCurrent(existing) && isCurrent(indexed)) {
    // Announce again under the same id: the first announcement may have been lost between the write
    // and the publish; consumers deduplicate on the id.
    await announce(manifest, version, deps);
    log('skipped', 'Index document is as new as this manifest');
    return 'skipped';
  }
  const built = buildIndexDocument(manifest, existing ?? indexed, deps.now?.() ?? new Date());
  const vector = await embedDocument(manifest, built, deps);
  const document = assertValid('index-document/v1', {
    ...built,
    ...(vector
      ? {
          embedding: {
            model: deps.embedder.model,
            dimension: deps.embedder.dimension,
            vector: Array.from(vector),
          },
        }
      : {}),
  });
  const outcome = await deps.search.upsert(document, vector);
  if (!isCurrent(existing)) await deps.documents.put(document);
  await announce(manifest, version, deps);
  log('succeeded', 'Indexed asset', {
    index: deps.search.backend,
    write: outcome,
    embedded: vector !== null,
  });
  return 'succeeded';
}

/** asset.indexed, with an id fixed by the asset and the document version, so repeats deduplicate. */
async function announce(manifest: AssetManifest, version: string, deps: IndexManifestDeps): Promise<void> {
  await deps.events.publish({
    id: deterministicEventId('asset.indexed', manifest.tenantId, manifest.assetId, version),
    type: 'asset.indexed',
    assetId: manifest.assetId,
    tenantId: manifest.tenantId,
    detail: { documentKey: deps.documents.locate(manifest.tenantId, manifest.assetId) },
  });
}
