import type { IndexDocument, SearchResult } from '@sluice/contracts';

/** What a search hit becomes in search-response/v1, whichever engine found it (no AWS import here). */
export function toSearchResult(hit: {
  document: IndexDocument;
  score?: number;
  snippet?: string;
}): SearchResult {
  const d = hit.document;
  return {
    assetId: d.assetId,
    ...(hit.score !== undefined ? { score: Math.round(hit.score * 1e6) / 1e6 } : {}),
    fileName: d.fileName,
    kind: d.kind,
    mime: d.mime,
    ...(d.width !== undefined ? { width: d.width } : {}),
    ...(d.height !== undefined ? { height: d.height } : {}),
    ...(d.takenAt ? { takenAt: d.takenAt } : {}),
    ...(d.dominantColor ? { dominantColor: d.dominantColor } : {}),
    tags: d.tags,
    ...(d.thumbnailKey ? { thumbnailKey: d.thumbnailKey } : {}),
    ...(hit.snippet ? { snippet: hit.snippet.slice(0, 1024) } : {}),
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}
