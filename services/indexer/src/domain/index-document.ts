import type { AssetManifest, IndexDocument } from '@sluice/contracts';

/** The smallest rendition: what result lists show, and what the embedder looks at first. */
export function smallestRendition(manifest: AssetManifest, contentTypes?: readonly string[]) {
  const candidates = manifest.renditions.filter((r) => !contentTypes || contentTypes.includes(r.contentType));
  return candidates.sort((a, b) => a.width * a.height - b.width * b.height || a.bytes - b.bytes)[0];
}

/**
 * The searchable view of a manifest; `createdAt` survives re-indexing. Width and height are as
 * displayed (EXIF orientations 5-8 turn the image a quarter), which is what a "portrait" or
 * "at least 1000 px wide" filter means.
 */
export function buildIndexDocument(
  manifest: AssetManifest,
  existing: IndexDocument | null,
  now: Date,
): IndexDocument {
  const timestamp = now.toISOString();
  const image = manifest.image;
  const turned = image !== undefined && image.orientation >= 5;
  const thumbnail = smallestRendition(manifest);
  return {
    assetId: manifest.assetId,
    tenantId: manifest.tenantId,
    fileName: manifest.source.fileName,
    mime: manifest.detected.mime,
    kind: manifest.detected.kind,
    ...(image
      ? { width: turned ? image.height : image.width, height: turned ? image.width : image.height }
      : {}),
    ...(manifest.exif ? { exif: manifest.exif } : {}),
    ...(manifest.exif?.takenAt ? { takenAt: manifest.exif.takenAt } : {}),
    ...(manifest.dominantColor ? { dominantColor: manifest.dominantColor } : {}),
    ...(manifest.perceptualHash ? { perceptualHash: manifest.perceptualHash } : {}),
    ...(thumbnail ? { thumbnailKey: thumbnail.key } : {}),
    tags: [],
    ...(manifest.text ? { text: manifest.text.extract } : {}),
    createdAt: existing?.createdAt ?? timestamp,
    updatedAt: timestamp,
    processedAt: manifest.processedAt,
    sourceSequencer: manifest.source.sequencer,
  };
}

/** The words a document embedding reads: name, camera and the start of the text. */
export function embeddingText(document: IndexDocument): string {
  const exif = document.exif;
  return [
    document.fileName.replace(/\.[a-z0-9]{1,10}$/i, ''),
    ...document.tags,
    exif?.make,
    exif?.model,
    exif?.lens,
    document.text?.slice(0, 2000),
  ]
    .filter(Boolean)
    .join(' ');
}
