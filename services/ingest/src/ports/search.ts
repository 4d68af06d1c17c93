import type { SearchRequest, SearchResponse } from '@sluice/contracts';

/**
 * GET /search's query engine: one tenant's index, never another's (the tenant is an argument, from
 * the caller's token, never part of the request). Implementations: the index-document scan
 * (adapters/index-scan-search.ts) and, where configured, the indexer's query engine.
 */
export interface SearchPort {
  search(tenantId: string, request: SearchRequest): Promise<SearchResponse>;
}

/** A search the caller got wrong in a way only the engine can tell (unknown similarTo, stale cursor). */
export class SearchRefusedError extends Error {
  constructor(
    readonly statusCode: 400 | 404,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SearchRefusedError';
  }
}
