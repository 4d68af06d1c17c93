import type { AssetManifest, IndexDocument } from '@sluice/contracts';

/** The searchable view of a manifest; `createdAt` survives re-indexing. */
export function buildIndexDocument(
  manifest: AssetManifest,
  existing: IndexDocument | null,
  now: Date,
): IndexDocument {
  const timestamp = now.toISOString();
  return {
    assetId: manifest.assetId,
    tenantId: manifest.tenantId,
    fileName: manifest.source.fileName,
    mime: manifest.detected.mime,
    kind: manifest.detected.kind,
    ...(manifest.image ? { width: manifest.image.width, height: manifest.image.height } : {}),
    ...(manifest.exif ? { exif: manifest.exif } : {}),
    ...(manifest.exif?.takenAt ? { takenAt: manifest.exif.takenAt } : {}),
    ...(manifest.dominantColor ? { dominantColor: manifest.dominantColor } : {}),
    tags: [],
    ...(manifest.text ? { text: manifest.text.extract } : {}),
    createdAt: existing?.createdAt ?? timestamp,
    updatedAt: timestamp,
    sourceSequencer: manifest.source.sequencer,
  };
}
