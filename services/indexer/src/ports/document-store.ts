import type { IndexDocument } from '@sluice/contracts';

/**
 * The durable copy of each index document (processed bucket, index/{tenantId}/{assetId}.json):
 * what GET /assets/{id} reads to say "indexed", and a record a search index can be rebuilt from.
 */
export interface DocumentStore {
  get(tenantId: string, assetId: string): Promise<IndexDocument | null>;
  put(document: IndexDocument): Promise<void>;
  delete(tenantId: string, assetId: string): Promise<void>;
  /** Where a document lives, for the asset.indexed event. */
  locate(tenantId: string, assetId: string): string;
}
