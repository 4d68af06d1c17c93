import { loadManifest, type ObjectStore, parseManifestKey } from '@sluice/runtime';
import type { IndexManifestDeps } from './index-manifest';
import { indexManifest } from './index-manifest';

export interface ReindexProgress {
  seen: number;
  indexed: number;
  skipped: number;
  failed: { key: string; error: string }[];
}

/**
 * Indexes every manifest in the processed bucket (after an embedder change, into a recreated
 * index): the same ordered, idempotent use case the queue drives, so running it twice changes
 * nothing the second time. A manifest that fails is reported and the rest go on.
 */
export async function reindexAll(
  manifestKeys: AsyncIterable<string>,
  deps: IndexManifestDeps & { objects: ObjectStore },
  onProgress: (progress: ReindexProgress) => void = () => {},
): Promise<ReindexProgress> {
  const progress: ReindexProgress = { seen: 0, indexed: 0, skipped: 0, failed: [] };
  for await (const key of manifestKeys) {
    if (!parseManifestKey(key)) continue;
    progress.seen++;
    try {
      const event = {
        eventName: 'ObjectCreated:Put',
        eventTime: new Date().toISOString(),
        bucket: deps.processedBucket,
        key,
        sequencer: '0',
      };
      // loadManifest validates; the use case reads it again, which keeps one code path.
      if (!(await loadManifest(deps.objects, event))) continue;
      const outcome = await indexManifest(event, deps);
      if (outcome === 'succeeded') progress.indexed++;
      else progress.skipped++;
    } catch (error) {
      progress.failed.push({ key, error: (error as Error).message });
    }
    onProgress(progress);
  }
  return progress;
}
