import type { AssetManifest, AssetStatus, RejectionRecord } from '@sluice/contracts';

/** What the buckets say about one asset of one tenant (each already checked to be that tenant's). */
export interface AssetObservations {
  /** Its key under uploads/, if the original is still there. */
  uploadKey?: string;
  quarantineKey?: string;
  archiveKey?: string;
  manifest?: AssetManifest;
  rejection?: RejectionRecord;
  indexed: boolean;
}

export type AssetState = AssetStatus['state'];

/**
 * Where an asset stands. A rejection counts when it is the latest word: a manifest written after
 * it (a reprocess that succeeded) wins, and a quarantined original without a record (written by a
 * processor older than rejection records) still reads as rejected. Undefined: no trace of it.
 */
export function assetState(
  o: AssetObservations,
): { state: AssetState; stages: AssetStatus['stages'] } | undefined {
  const found = o.uploadKey ?? o.quarantineKey ?? o.archiveKey ?? o.manifest ?? o.rejection;
  if (found === undefined) return undefined;
  const processed = o.manifest !== undefined;
  const stages = {
    uploaded: true,
    processed,
    indexed: processed && o.indexed,
    archived: processed && o.archiveKey !== undefined,
  };
  const rejectedAt = o.rejection?.rejectedAt;
  const rejected =
    (o.rejection !== undefined || o.quarantineKey !== undefined) &&
    (!o.manifest || (rejectedAt !== undefined && rejectedAt > o.manifest.processedAt));
  const state: AssetState = rejected
    ? 'rejected'
    : stages.archived && stages.indexed
      ? 'archived'
      : stages.indexed
        ? 'indexed'
        : processed
          ? 'processed'
          : 'uploaded';
  return { state, stages };
}
