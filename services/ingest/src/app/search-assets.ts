import { assertValid, type SearchRequest, type SearchResponse, validate } from '@sluice/contracts';
import { HttpError } from '../domain/http-error';
import { type SearchPort, SearchRefusedError } from '../ports/search';

const LIST_PARAMS = new Set(['kind', 'mime']);
const INTEGER_PARAMS = new Set(['minWidth', 'maxWidth', 'minHeight', 'maxHeight', 'colorTolerance', 'limit']);

/**
 * A GET /search query string as a search-request/v1 document: lists split on commas, integers
 * parsed, `#` optional on colors. Unknown or malformed parameters are a 400 that names them.
 */
export function parseSearchQuery(query: Readonly<Record<string, string | undefined>>): SearchRequest {
  const doc: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(query)) {
    const value = raw?.trim();
    if (!value) continue;
    if (LIST_PARAMS.has(name)) {
      doc[name] = value
        .split(',')
        .map((item) => item.trim().toLowerCase())
        .filter(Boolean);
    } else if (INTEGER_PARAMS.has(name)) doc[name] = /^-?\d+$/.test(value) ? Number(value) : value;
    else if (name === 'color') doc[name] = (value.startsWith('#') ? value : `#${value}`).toLowerCase();
    else doc[name] = value;
  }
  const result = validate('search-request/v1', doc);
  if (!result.ok)
    throw new HttpError(400, 'invalid-search', `Invalid search: ${result.errors.join('; ')}`, result.errors);
  return result.value;
}

/** GET /search: the caller's tenant only, whatever the query says. */
export async function searchAssets(
  tenantId: string,
  query: Readonly<Record<string, string | undefined>>,
  search: SearchPort,
): Promise<SearchResponse> {
  const request = parseSearchQuery(query);
  try {
    return assertValid('search-response/v1', await search.search(tenantId, request));
  } catch (error) {
    if (error instanceof SearchRefusedError) throw new HttpError(error.statusCode, error.code, error.message);
    throw error;
  }
}
