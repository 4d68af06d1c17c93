import { compareSequencers } from '@sluice/runtime';

/** Where an S3 event stands against what the processor already wrote for its asset. */
export type OrderingDecision =
  /** Nothing written yet for this asset, or only for an older write of the same key. */
  | { action: 'process' }
  /** This very write was processed already (a replayed or redelivered event). */
  | { action: 'replay' }
  /** A newer write of the same key was processed already: this event is outdated. */
  | { action: 'stale'; newerSequencer: string }
  /** Another file already holds this asset id: one asset id is one original. */
  | { action: 'conflict'; otherKey: string };

export interface ProcessedSource {
  key: string;
  sequencer: string;
}

/**
 * Orders an event against the manifest's source. S3 sequencers order the events of one key (the
 * greater is the later write); across keys they mean nothing, so another key is a conflict.
 */
export function orderAgainst(processed: ProcessedSource | null, event: ProcessedSource): OrderingDecision {
  if (!processed) return { action: 'process' };
  if (processed.key !== event.key) return { action: 'conflict', otherKey: processed.key };
  const order = compareSequencers(event.sequencer, processed.sequencer);
  if (order === 0) return { action: 'replay' };
  if (order < 0) return { action: 'stale', newerSequencer: processed.sequencer };
  return { action: 'process' };
}

/** True when an output written for `existing` may be replaced by one for `incoming` (same key). */
export function mayReplace(existingSequencer: string | undefined, incomingSequencer: string): boolean {
  return existingSequencer === undefined || compareSequencers(incomingSequencer, existingSequencer) >= 0;
}
