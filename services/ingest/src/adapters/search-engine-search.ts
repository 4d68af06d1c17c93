import type { SearchRequest, SearchResponse } from '@sluice/contracts';
import { type SearchEngine, SearchRequestError } from '@sluice/search';
import { type SearchPort, SearchRefusedError } from '../ports/search';

/** GET /search answered by the indexer's query engine (SQLite locally, S3 Vectors on AWS). */
export class SearchEngineSearch implements SearchPort {
  constructor(private readonly engine: Pick<SearchEngine, 'search'>) {}

  async search(tenantId: string, request: SearchRequest): Promise<SearchResponse> {
    try {
      return await this.engine.search(tenantId, request);
    } catch (error) {
      if (error instanceof SearchRequestError) {
        throw new SearchRefusedError(error.statusCode, error.code, error.message);
      }
      throw error;
    }
  }
}
