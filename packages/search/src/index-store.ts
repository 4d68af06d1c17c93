import type { IndexDocument } from '@sluice/contracts';
import type { EmbeddingModel } from './embedding/embedder';

export type Ranking = 'text' | 'similarity' | 'recent';

/** Criteria every backend applies exactly; all combine with AND. */
export interface SearchFilters {
  kind?: string[];
  /** Exact types, or families as `image/` (from `image/*`). */
  mime?: string[];
  /** Inclusive bounds, compared as strings (a date-only upper bound already extended to the day's end). */
  takenFrom?: string;
  takenTo?: string;
  createdFrom?: string;
  createdTo?: string;
  minWidth?: number;
  maxWidth?: number;
  minHeight?: number;
  maxHeight?: number;
  orientation?: 'landscape' | 'portrait' | 'square';
  color?: { rgb: [number, number, number]; tolerance: number };
}

/** Words to find (each as a prefix) and phrases (exactly), all required. */
export interface TextQuery {
  raw: string;
  terms: string[];
  phrases: string[][];
}

/** Where the previous page ended, in the ranking's own sort order. */
export interface PageAfter {
  sort: number | string;
  assetId: string;
}

export interface StoreQuery {
  tenantId: string;
  ranking: Ranking;
  /** For ranking text, and as a filter with ranking similarity (backends with full text only). */
  text?: TextQuery;
  /** For ranking similarity; for ranking text on backends without full text (the query text embedded). */
  vector?: Float32Array;
  /** Left out of the results (the similarTo asset itself). */
  excludeAssetId?: string;
  filters: SearchFilters;
  limit: number;
  after?: PageAfter;
}

export interface StoreHit {
  document: IndexDocument;
  /** Higher is better; absent for ranking recent. */
  score?: number;
  /** The value the page is ordered by (what PageAfter.sort repeats). */
  sort: number | string;
  snippet?: string;
}

export interface StorePage {
  hits: StoreHit[];
  hasMore: boolean;
}

export type UpsertOutcome = 'written' | 'unchanged' | 'stale';

/**
 * The search index. Writes are ordered by `documentVersion`: a write never replaces a document
 * with a greater version, and an equal version is a replay (unchanged).
 */
export interface IndexStore {
  /** `sqlite`, `s3vectors`, `memory`. */
  readonly backend: string;
  /** The embedding model and dimension this index was built with. */
  readonly embedding: EmbeddingModel;
  /** True when the backend matches words itself (FTS); false when text is searched by embedding. */
  readonly fullText: boolean;
  upsert(document: IndexDocument, vector: Float32Array | null): Promise<UpsertOutcome>;
  get(tenantId: string, assetId: string): Promise<IndexDocument | null>;
  getVector(tenantId: string, assetId: string): Promise<Float32Array | null>;
  /** Removes an asset's document wherever its tenant; returns the tenant it belonged to. */
  remove(assetId: string): Promise<{ tenantId: string } | null>;
  search(query: StoreQuery): Promise<StorePage>;
  count(tenantId?: string): Promise<number>;
  close(): Promise<void>;
}

/** The order of index writes: the upload's S3 sequencer, then the manifest's processedAt (reprocessing). */
export function documentVersion(document: Pick<IndexDocument, 'sourceSequencer' | 'processedAt'>): string {
  return `${document.sourceSequencer.toUpperCase().padStart(40, '0')}|${document.processedAt ?? ''}`;
}
