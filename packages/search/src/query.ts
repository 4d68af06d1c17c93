import { createHash } from 'node:crypto';
import type { SearchRequest } from '@sluice/contracts';
import { validate } from '@sluice/contracts';
import { parseHexColor } from './embedding/image-features';
import { tokenize } from './embedding/text-features';
import { SearchRequestError } from './errors';
import type { PageAfter, Ranking, SearchFilters, TextQuery } from './index-store';

export const DEFAULT_LIMIT = 20;
export const DEFAULT_COLOR_TOLERANCE = 60;

const LIST_PARAMS = new Set(['kind', 'mime']);
const INTEGER_PARAMS = new Set(['minWidth', 'maxWidth', 'minHeight', 'maxHeight', 'colorTolerance', 'limit']);

/**
 * A GET /search query string as a search-request/v1 document: lists split on commas, integers
 * parsed, `#` optional on colors. Unknown or malformed parameters fail with a 400 that names them.
 */
export function parseSearchParams(
  params: Record<string, string | undefined> | null | undefined,
): SearchRequest {
  const doc: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(params ?? {})) {
    if (raw === undefined) continue;
    const value = raw.trim();
    if (value === '') continue;
    if (LIST_PARAMS.has(name))
      doc[name] = value
        .split(',')
        .map((item) => item.trim().toLowerCase())
        .filter(Boolean);
    else if (INTEGER_PARAMS.has(name)) doc[name] = /^-?\d+$/.test(value) ? Number(value) : value;
    else if (name === 'color') doc[name] = (value.startsWith('#') ? value : `#${value}`).toLowerCase();
    else doc[name] = value;
  }
  return checkSearchRequest(doc);
}

/** Validates a search request body against search-request/v1 and the rules between its fields. */
export function checkSearchRequest(doc: unknown): SearchRequest {
  const result = validate('search-request/v1', doc);
  if (!result.ok)
    throw new SearchRequestError(400, 'invalid-search', `Invalid search: ${result.errors.join('; ')}`);
  const request = result.value;
  const pairs: [keyof SearchRequest, keyof SearchRequest][] = [
    ['minWidth', 'maxWidth'],
    ['minHeight', 'maxHeight'],
    ['takenFrom', 'takenTo'],
    ['createdFrom', 'createdTo'],
  ];
  for (const [low, high] of pairs) {
    const a = request[low];
    const b = request[high];
    if (a !== undefined && b !== undefined && a > b) {
      throw new SearchRequestError(
        400,
        'invalid-search',
        `Invalid search: ${String(low)} is after ${String(high)}`,
      );
    }
  }
  if (request.colorTolerance !== undefined && request.color === undefined) {
    throw new SearchRequestError(400, 'invalid-search', 'Invalid search: colorTolerance needs color');
  }
  return request;
}

/** Free text as words and "quoted phrases"; the words are matched as prefixes. */
export function parseTextQuery(raw: string): TextQuery {
  const phrases: string[][] = [];
  const rest = raw.replace(/"([^"]*)"/g, (_match, phrase: string) => {
    const words = tokenize(phrase);
    if (words.length > 0) phrases.push(words);
    return ' ';
  });
  const terms = [...new Set(tokenize(rest))];
  if (terms.length === 0 && phrases.length === 0) {
    throw new SearchRequestError(400, 'invalid-search', 'Invalid search: q has no words to search for');
  }
  return { raw, terms, phrases };
}

/** An inclusive upper bound that also takes every time of a date-only day. */
function upperBound(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value.length === 10 ? `${value}T\uffff` : value;
}

export function filtersOf(request: SearchRequest): SearchFilters {
  return {
    ...(request.kind ? { kind: request.kind } : {}),
    ...(request.mime ? { mime: request.mime.map((m) => (m.endsWith('/*') ? m.slice(0, -1) : m)) } : {}),
    ...(request.takenFrom ? { takenFrom: request.takenFrom } : {}),
    ...(request.takenTo ? { takenTo: upperBound(request.takenTo) } : {}),
    ...(request.createdFrom ? { createdFrom: request.createdFrom } : {}),
    ...(request.createdTo ? { createdTo: upperBound(request.createdTo) } : {}),
    ...(request.minWidth !== undefined ? { minWidth: request.minWidth } : {}),
    ...(request.maxWidth !== undefined ? { maxWidth: request.maxWidth } : {}),
    ...(request.minHeight !== undefined ? { minHeight: request.minHeight } : {}),
    ...(request.maxHeight !== undefined ? { maxHeight: request.maxHeight } : {}),
    ...(request.orientation ? { orientation: request.orientation } : {}),
    ...(request.color
      ? {
          color: {
            rgb: parseHexColor(request.color),
            tolerance: request.colorTolerance ?? DEFAULT_COLOR_TOLERANCE,
          },
        }
      : {}),
  };
}

export function rankingOf(request: SearchRequest): Ranking {
  if (request.similarTo) return 'similarity';
  if (request.q) return 'text';
  return 'recent';
}

interface CursorBody {
  v: 1;
  /** Fingerprint of the tenant and criteria the cursor belongs to. */
  h: string;
  s: number | string;
  a: string;
}

/** Fingerprint of everything that decides a result list (not the page size, not the cursor). */
export function criteriaFingerprint(tenantId: string, request: SearchRequest): string {
  const { cursor: _cursor, limit: _limit, ...criteria } = request;
  const canonical = JSON.stringify([
    tenantId,
    Object.entries(criteria).sort(([a], [b]) => a.localeCompare(b)),
  ]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

export function encodeCursor(fingerprint: string, after: PageAfter): string {
  const body: CursorBody = { v: 1, h: fingerprint, s: after.sort, a: after.assetId };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

export function decodeCursor(cursor: string, fingerprint: string): PageAfter {
  let body: Partial<CursorBody>;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorBody>;
  } catch {
    throw new SearchRequestError(400, 'invalid-cursor', 'The cursor is not one this API issued');
  }
  if (
    body?.v !== 1 ||
    typeof body.a !== 'string' ||
    (typeof body.s !== 'number' && typeof body.s !== 'string')
  ) {
    throw new SearchRequestError(400, 'invalid-cursor', 'The cursor is not one this API issued');
  }
  if (body.h !== fingerprint) {
    throw new SearchRequestError(
      400,
      'invalid-cursor',
      'The cursor belongs to other search criteria: repeat the same criteria, or start without a cursor',
    );
  }
  return { sort: body.s, assetId: body.a };
}
