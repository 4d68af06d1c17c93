import type { AssetManifest } from '@sluice/contracts';

/** The processor's manifests: what an asset is and where its original came from. */
export interface AssetCatalog {
  /** The validated manifest of an asset; null when there is none (unknown, or not processed yet). */
  manifest(assetId: string): Promise<AssetManifest | null>;
}
