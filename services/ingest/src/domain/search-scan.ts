import { createHash } from 'node:crypto';
import type { IndexDocument, SearchRequest, SearchResponse } from '@sluice/contracts';
import { toSearchResult } from '@sluice/search/result';
import { HttpError } from './http-error';

/*
 * GET /search over a list of index documents, in memory: the fallback engine behind SearchPort
 * when no query service is configured. Same criteria as search-request/v1 describes: filters with
 * AND; ranking by text relevance (BM25 over file name, tags, text and camera), by cosine similarity
 * of embeddings (similarTo), else newest first; cursors bound to the tenant and the criteria.
 */

export const DEFAULT_LIMIT = 20;
const DEFAULT_COLOR_TOLERANCE = 60;
const BM25_K1 = 1.2;
const BM25_B = 0.75;

export function tokenize(text: string): string[] {
  return (
    text
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

interface TextQuery {
  terms: string[];
  phrases: string[][];
}

export function parseTextQuery(raw: string): TextQuery {
  const phrases: string[][] = [];
  const rest = raw.replace(/"([^"]*)"/g, (_match, phrase: string) => {
    const words = tokenize(phrase);
    if (words.length > 0) phrases.push(words);
    return ' ';
  });
  const terms = [...new Set(tokenize(rest))];
  if (terms.length === 0 && phrases.length === 0) {
    throw new HttpError(400, 'invalid-search', 'Invalid search: q has no words to search for');
  }
  return { terms, phrases };
}

/** The words a document is found by. */
function documentWords(d: IndexDocument): string[] {
  return tokenize(
    [
      d.fileName,
      d.tags.join(' '),
      d.text ?? '',
      d.exif?.make ?? '',
      d.exif?.model ?? '',
      d.exif?.lens ?? '',
    ].join(' '),
  );
}

function containsPhrase(words: readonly string[], phrase: readonly string[]): boolean {
  outer: for (let i = 0; i + phrase.length <= words.length; i++) {
    for (let j = 0; j < phrase.length; j++) if (words[i + j] !== phrase[j]) continue outer;
    return true;
  }
  return false;
}

function hexToRgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

/** A date-only upper bound takes the whole day. */
const upper = (value: string | undefined) =>
  value !== undefined && value.length === 10 ? `${value}T\uffff` : value;

function inRange<T extends string | number>(value: T | undefined, low?: T, high?: T): boolean {
  if (low === undefined && high === undefined) return true;
  if (value === undefined) return false;
  return (low === undefined || value >= low) && (high === undefined || value <= high);
}

export function matchesFilters(d: IndexDocument, r: SearchRequest): boolean {
  if (r.kind && !r.kind.includes(d.kind)) return false;
  if (r.mime && !r.mime.some((m) => (m.endsWith('/*') ? d.mime.startsWith(m.slice(0, -1)) : d.mime === m))) {
    return false;
  }
  if (!inRange(d.takenAt, r.takenFrom, upper(r.takenTo))) return false;
  if (!inRange(d.createdAt, r.createdFrom, upper(r.createdTo))) return false;
  if (!inRange(d.width, r.minWidth, r.maxWidth)) return false;
  if (!inRange(d.height, r.minHeight, r.maxHeight)) return false;
  if (r.orientation) {
    if (d.width === undefined || d.height === undefined) return false;
    const shape = d.width > d.height ? 'landscape' : d.width < d.height ? 'portrait' : 'square';
    if (shape !== r.orientation) return false;
  }
  if (r.color) {
    if (!d.dominantColor) return false;
    const [a, b, c] = hexToRgb(d.dominantColor);
    const [x, y, z] = hexToRgb(r.color);
    const tolerance = r.colorTolerance ?? DEFAULT_COLOR_TOLERANCE;
    if ((a - x) ** 2 + (b - y) ** 2 + (c - z) ** 2 > tolerance ** 2) return false;
  }
  return true;
}

/** Checks what the schema cannot: bounds in order, colorTolerance only with color. */
export function checkCriteria(r: SearchRequest): void {
  const pairs: [string, string | number | undefined, string | number | undefined][] = [
    ['minWidth/maxWidth', r.minWidth, r.maxWidth],
    ['minHeight/maxHeight', r.minHeight, r.maxHeight],
    ['takenFrom/takenTo', r.takenFrom, r.takenTo],
    ['createdFrom/createdTo', r.createdFrom, r.createdTo],
  ];
  for (const [names, low, high] of pairs) {
    if (low !== undefined && high !== undefined && low > high) {
      throw new HttpError(400, 'invalid-search', `Invalid search: ${names} are in the wrong order`);
    }
  }
  if (r.colorTolerance !== undefined && r.color === undefined) {
    throw new HttpError(400, 'invalid-search', 'Invalid search: colorTolerance needs color');
  }
}

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

interface Hit {
  document: IndexDocument;
  score?: number;
}

function fingerprint(tenantId: string, r: SearchRequest): string {
  const { cursor: _cursor, limit: _limit, ...criteria } = r;
  const canonical = JSON.stringify([
    tenantId,
    Object.entries(criteria).sort(([a], [b]) => a.localeCompare(b)),
  ]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

function decodeCursor(cursor: string, expected: string): number {
  let body: { h?: unknown; o?: unknown };
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as typeof body;
  } catch {
    throw new HttpError(400, 'invalid-cursor', 'The cursor is not one this API issued');
  }
  if (typeof body?.o !== 'number' || !Number.isSafeInteger(body.o) || body.o < 0) {
    throw new HttpError(400, 'invalid-cursor', 'The cursor is not one this API issued');
  }
  if (body.h !== expected) {
    throw new HttpError(
      400,
      'invalid-cursor',
      'The cursor belongs to other search criteria: repeat the same criteria, or start without a cursor',
    );
  }
  return body.o;
}

const newestFirst = (a: Hit, b: Hit) =>
  b.document.createdAt.localeCompare(a.document.createdAt) ||
  a.document.assetId.localeCompare(b.document.assetId);
const bestFirst = (a: Hit, b: Hit) => (b.score ?? 0) - (a.score ?? 0) || newestFirst(a, b);

/** One page of results over `documents` (one tenant's, already checked). */
export function searchDocuments(
  tenantId: string,
  documents: readonly IndexDocument[],
  r: SearchRequest,
): SearchResponse {
  checkCriteria(r);
  const key = fingerprint(tenantId, r);
  const offset = r.cursor ? decodeCursor(r.cursor, key) : 0;
  const limit = r.limit ?? DEFAULT_LIMIT;
  const own = documents.filter((d) => d.tenantId === tenantId);

  let reference: IndexDocument | undefined;
  if (r.similarTo) {
    reference = own.find((d) => d.assetId === r.similarTo);
    if (!reference) throw new HttpError(404, 'not-found', `No indexed asset ${r.similarTo}`);
    if (!reference.embedding) {
      throw new HttpError(400, 'not-embedded', `Asset ${r.similarTo} has no embedding to compare with`);
    }
  }
  const text = r.q ? parseTextQuery(r.q) : undefined;
  const words = new Map<IndexDocument, string[]>();
  const wordsOf = (d: IndexDocument) => {
    let w = words.get(d);
    if (!w) {
      w = documentWords(d);
      words.set(d, w);
    }
    return w;
  };
  const candidates = own.filter((d) => {
    if (!matchesFilters(d, r)) return false;
    if (reference && d.assetId === reference.assetId) return false;
    if (!text) return true;
    const w = wordsOf(d);
    return (
      text.terms.every((term) => w.some((word) => word.startsWith(term))) &&
      text.phrases.every((phrase) => containsPhrase(w, phrase))
    );
  });

  let hits: Hit[];
  const ranking: SearchResponse['ranking'] = reference ? 'similarity' : text ? 'text' : 'recent';
  if (reference?.embedding) {
    const { model, dimension, vector } = reference.embedding;
    hits = candidates
      .filter((d) => d.embedding?.model === model && d.embedding.dimension === dimension)
      .map((d) => ({ document: d, score: cosine(vector, d.embedding?.vector ?? []) }))
      .sort(bestFirst);
  } else if (text) {
    // BM25 over the matching documents, each query word counted by the words it prefixes.
    const queryWords = [...text.terms, ...text.phrases.flat()];
    const lengths = candidates.map((d) => wordsOf(d).length);
    const avgLength = lengths.reduce((a, b) => a + b, 0) / Math.max(1, lengths.length);
    const n = own.length;
    const idf = new Map(
      queryWords.map((q) => {
        const df = own.filter((o) => wordsOf(o).some((word) => word.startsWith(q))).length;
        return [q, Math.log(1 + (n - df + 0.5) / (df + 0.5))];
      }),
    );
    hits = candidates
      .map((d) => {
        const w = wordsOf(d);
        let score = 0;
        for (const q of queryWords) {
          const tf = w.filter((word) => word.startsWith(q)).length;
          const weight = idf.get(q) ?? 0;
          score +=
            (weight * tf * (BM25_K1 + 1)) /
            (tf + BM25_K1 * (1 - BM25_B + (BM25_B * w.length) / (avgLength || 1)));
        }
        return { document: d, score };
      })
      .sort(bestFirst);
  } else {
    hits = candidates.map((d) => ({ document: d })).sort(newestFirst);
  }

  const page = hits.slice(offset, offset + limit);
  const next = offset + page.length;
  const model = reference?.embedding ?? own.find((d) => d.embedding)?.embedding;
  return {
    results: page.map(toSearchResult),
    ranking,
    ...(next < hits.length
      ? { nextCursor: Buffer.from(JSON.stringify({ h: key, o: next })).toString('base64url') }
      : {}),
    // No embedding anywhere yet: the scan has no model to name; "none" with dimension 1 says so.
    index: {
      backend: 'index-document-scan',
      model: model?.model ?? 'none',
      dimension: model?.dimension ?? 1,
    },
  };
}
