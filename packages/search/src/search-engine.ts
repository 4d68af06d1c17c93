import type { SearchRequest, SearchResponse } from '@sluice/contracts';
import type { Embedder } from './embedding/embedder';
import { SearchRequestError } from './errors';
import type { IndexStore, StoreQuery } from './index-store';
import {
  checkSearchRequest,
  criteriaFingerprint,
  DEFAULT_LIMIT,
  decodeCursor,
  encodeCursor,
  filtersOf,
  parseSearchParams,
  parseTextQuery,
  rankingOf,
} from './query';
import { toSearchResult } from './search-result';

/**
 * The query API behind GET /search. The tenant is an argument of every call, taken from the
 * caller's token by the HTTP layer; no request field can widen it.
 */
export class SearchEngine {
  constructor(
    private readonly store: IndexStore,
    private readonly embedder: Embedder,
  ) {
    if (store.embedding.model !== embedder.model || store.embedding.dimension !== embedder.dimension) {
      throw new Error(
        `Embedder ${embedder.model} (${embedder.dimension}) does not match the index's ${store.embedding.model} (${store.embedding.dimension})`,
      );
    }
  }

  /** GET /search with its query string parameters (`event.queryStringParameters`). */
  async searchParams(tenantId: string, params: Record<string, string | undefined> | null | undefined) {
    return this.search(tenantId, parseSearchParams(params));
  }

  /** A search-request/v1 document; throws SearchRequestError (400/404) for what the caller got wrong. */
  async search(tenantId: string, body: SearchRequest | unknown): Promise<SearchResponse> {
    const request = checkSearchRequest(body);
    const ranking = rankingOf(request);
    const fingerprint = criteriaFingerprint(tenantId, request);
    const query: StoreQuery = {
      tenantId,
      ranking,
      filters: filtersOf(request),
      limit: request.limit ?? DEFAULT_LIMIT,
      ...(request.cursor ? { after: decodeCursor(request.cursor, fingerprint) } : {}),
    };
    if (request.q) {
      const text = parseTextQuery(request.q);
      if (this.store.fullText) query.text = text;
      else if (ranking === 'text') query.vector = await this.embedder.embedQuery(request.q);
      else query.text = text; // similarity on a vector-only backend: words narrow by metadata terms
    }
    if (request.similarTo) {
      const vector = await this.store.getVector(tenantId, request.similarTo);
      if (!vector) {
        const exists = await this.store.get(tenantId, request.similarTo);
        throw exists
          ? new SearchRequestError(
              400,
              'not-embedded',
              `Asset ${request.similarTo} has no embedding to compare with`,
            )
          : new SearchRequestError(404, 'not-found', `No indexed asset ${request.similarTo}`);
      }
      query.vector = vector;
      query.excludeAssetId = request.similarTo;
    }
    const page = await this.store.search(query);
    const last = page.hits.at(-1);
    return {
      results: page.hits.map(toSearchResult),
      ranking,
      ...(page.hasMore && last
        ? { nextCursor: encodeCursor(fingerprint, { sort: last.sort, assetId: last.document.assetId }) }
        : {}),
      index: {
        backend: this.store.backend,
        model: this.store.embedding.model,
        dimension: this.store.embedding.dimension,
      },
    };
  }
}
