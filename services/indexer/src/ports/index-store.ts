import type { IndexDocument } from '@sluice/contracts';

export interface IndexStore {
  get(tenantId: string, assetId: string): Promise<IndexDocument | null>;
  put(document: IndexDocument): Promise<void>;
  /** Where a document lives, for the asset.indexed event. */
  locate(tenantId: string, assetId: string): string;
}
