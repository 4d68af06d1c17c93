import type { IndexDocument } from '@sluice/contracts';
import { cosineSimilarity, type EmbeddingModel } from '../embedding/embedder';
import { parseHexColor } from '../embedding/image-features';
import { tokenize } from '../embedding/text-features';
import {
  documentVersion,
  type IndexStore,
  type SearchFilters,
  type StoreHit,
  type StorePage,
  type StoreQuery,
  type TextQuery,
  type UpsertOutcome,
} from '../index-store';

interface Entry {
  document: IndexDocument;
  vector: Float32Array | null;
  version: string;
  fields: string[][];
}

const FIELD_WEIGHTS = [4, 3, 1, 2];

/** Everything in arrays, every query a full scan: the benchmark's baseline and the tests' twin. */
export class MemoryIndexStore implements IndexStore {
  readonly backend = 'memory';
  readonly fullText = true;
  private readonly entries = new Map<string, Entry>();

  constructor(readonly embedding: EmbeddingModel) {}

  async upsert(document: IndexDocument, vector: Float32Array | null): Promise<UpsertOutcome> {
    const version = documentVersion(document);
    const existing = this.entries.get(document.assetId);
    if (existing && existing.version > version) return 'stale';
    if (existing && existing.version === version) return 'unchanged';
    const { embedding: _embedding, ...stored } = document;
    const exif = document.exif;
    this.entries.set(document.assetId, {
      document: stored,
      vector: vector ? Float32Array.from(vector) : null,
      version,
      fields: [
        tokenize(document.fileName),
        tokenize(document.tags.join(' ')),
        tokenize(document.text ?? ''),
        tokenize([exif?.make, exif?.model, exif?.lens].filter(Boolean).join(' ')),
      ],
    });
    return 'written';
  }

  async get(tenantId: string, assetId: string): Promise<IndexDocument | null> {
    const entry = this.entries.get(assetId);
    return entry && entry.document.tenantId === tenantId ? entry.document : null;
  }

  async getVector(tenantId: string, assetId: string): Promise<Float32Array | null> {
    const entry = this.entries.get(assetId);
    return entry && entry.document.tenantId === tenantId ? entry.vector : null;
  }

  async remove(assetId: string): Promise<{ tenantId: string } | null> {
    const entry = this.entries.get(assetId);
    if (!entry) return null;
    this.entries.delete(assetId);
    return { tenantId: entry.document.tenantId };
  }

  async count(tenantId?: string): Promise<number> {
    if (tenantId === undefined) return this.entries.size;
    let n = 0;
    for (const entry of this.entries.values()) if (entry.document.tenantId === tenantId) n++;
    return n;
  }

  async close(): Promise<void> {}

  async search(query: StoreQuery): Promise<StorePage> {
    const candidates: Entry[] = [];
    for (const entry of this.entries.values()) {
      if (entry.document.tenantId !== query.tenantId || entry.document.assetId === query.excludeAssetId)
        continue;
      if (!matchesFilters(entry.document, query.filters)) continue;
      if (query.text && !matchesText(entry, query.text)) continue;
      candidates.push(entry);
    }
    let hits: StoreHit[];
    if (query.ranking === 'similarity') {
      const vector = query.vector as Float32Array;
      hits = candidates
        .filter((entry) => entry.vector)
        .map((entry) => {
          const distance = 1 - cosineSimilarity(vector, entry.vector as Float32Array);
          return { document: entry.document, score: 1 - distance, sort: distance };
        });
      hits.sort((a, b) => (a.sort as number) - (b.sort as number) || compareIds(a, b));
    } else if (query.ranking === 'text') {
      const scores = bm25(candidates, query.text as TextQuery, this.averageLengths(query.tenantId));
      hits = candidates.map((entry, i) => ({
        document: entry.document,
        score: scores[i],
        sort: -(scores[i] as number),
      }));
      hits.sort((a, b) => (a.sort as number) - (b.sort as number) || compareIds(a, b));
    } else {
      hits = candidates.map((entry) => ({ document: entry.document, sort: entry.document.createdAt }));
      hits.sort((a, b) => (a.sort < b.sort ? 1 : a.sort > b.sort ? -1 : compareIds(a, b)));
    }
    const after = query.after;
    if (after) {
      hits = hits.filter((hit) => {
        if (hit.sort === after.sort) return hit.document.assetId > after.assetId;
        return query.ranking === 'recent' ? hit.sort < after.sort : hit.sort > after.sort;
      });
    }
    return { hits: hits.slice(0, query.limit), hasMore: hits.length > query.limit };
  }

  private averageLengths(tenantId: string): number[] {
    const sums = [0, 0, 0, 0];
    let n = 0;
    for (const entry of this.entries.values()) {
      if (entry.document.tenantId !== tenantId) continue;
      n++;
      entry.fields.forEach((field, i) => {
        sums[i] = (sums[i] as number) + field.length;
      });
    }
    return sums.map((sum) => (n === 0 ? 1 : Math.max(1, sum / n)));
  }
}

function compareIds(a: StoreHit, b: StoreHit): number {
  return a.document.assetId < b.document.assetId ? -1 : a.document.assetId > b.document.assetId ? 1 : 0;
}

function containsPhrase(tokens: string[], phrase: string[]): boolean {
  outer: for (let i = 0; i + phrase.length <= tokens.length; i++) {
    for (let j = 0; j < phrase.length; j++) if (tokens[i + j] !== phrase[j]) continue outer;
    return true;
  }
  return false;
}

function matchesText(entry: Entry, text: TextQuery): boolean {
  const all = entry.fields.flat();
  return (
    text.terms.every((term) => all.some((token) => token.startsWith(term))) &&
    text.phrases.every((phrase) => entry.fields.some((field) => containsPhrase(field, phrase)))
  );
}

/** Okapi BM25 (k1 1.2, b 0.75) per field, weighted like the SQLite index's. */
function bm25(entries: Entry[], text: TextQuery, averages: number[]): number[] {
  const terms = [...text.terms, ...text.phrases.flat()];
  const n = entries.length;
  const df = terms.map(
    (term) => entries.filter((e) => e.fields.some((f) => f.some((t) => t.startsWith(term)))).length,
  );
  return entries.map((entry) => {
    let score = 0;
    terms.forEach((term, ti) => {
      const idf = Math.log(1 + (n - (df[ti] as number) + 0.5) / ((df[ti] as number) + 0.5));
      entry.fields.forEach((field, fi) => {
        const tf = field.filter((token) => token.startsWith(term)).length;
        if (tf === 0) return;
        const norm = 1 - 0.75 + (0.75 * field.length) / (averages[fi] as number);
        score += (FIELD_WEIGHTS[fi] as number) * idf * ((tf * 2.2) / (tf + 1.2 * norm));
      });
    });
    return score;
  });
}

/** The filter semantics every backend implements, in plain code. */
export function matchesFilters(d: IndexDocument, f: SearchFilters): boolean {
  if (f.kind && !f.kind.includes(d.kind)) return false;
  if (f.mime && !f.mime.some((m) => (m.endsWith('/') ? d.mime.startsWith(m) : d.mime === m))) return false;
  const inRange = (value: string | number | undefined, low?: string | number, high?: string | number) => {
    if (low === undefined && high === undefined) return true;
    if (value === undefined) return false;
    return (low === undefined || value >= low) && (high === undefined || value <= high);
  };
  if (!inRange(d.takenAt, f.takenFrom, f.takenTo)) return false;
  if (!inRange(d.createdAt, f.createdFrom, f.createdTo)) return false;
  if (!inRange(d.width, f.minWidth, f.maxWidth)) return false;
  if (!inRange(d.height, f.minHeight, f.maxHeight)) return false;
  if (f.orientation) {
    if (d.width === undefined || d.height === undefined) return false;
    const shape = d.width > d.height ? 'landscape' : d.width < d.height ? 'portrait' : 'square';
    if (shape !== f.orientation) return false;
  }
  if (f.color) {
    if (!d.dominantColor) return false;
    const [r, g, b] = parseHexColor(d.dominantColor);
    const [R, G, B] = f.color.rgb;
    if ((r - R) ** 2 + (g - G) ** 2 + (b - B) ** 2 > f.color.tolerance ** 2) return false;
  }
  return true;
}
