import type { SearchRequest, SearchResponse } from '@sluice/contracts';
import { SearchRequestError } from '@sluice/search';
import { SearchEngineSearch } from '../src/adapters/search-engine-search';
import { SearchRefusedError } from '../src/ports/search';

describe('SearchEngineSearch', () => {
  const request: SearchRequest = { q: 'cat' };

  it('passes the tenant and the request to the engine and returns its answer', async () => {
    const answer = { results: [], nextCursor: null } as unknown as SearchResponse;
    const calls: unknown[] = [];
    const search = new SearchEngineSearch({
      search: async (tenantId, body) => {
        calls.push([tenantId, body]);
        return answer;
      },
    });
    await expect(search.search('acme', request)).resolves.toBe(answer);
    expect(calls).toEqual([['acme', request]]);
  });

  it('turns what the caller got wrong into a refusal with the same status and code', async () => {
    const search = new SearchEngineSearch({
      search: async () => {
        throw new SearchRequestError(404, 'unknown-asset', 'No asset x to be similar to');
      },
    });
    await expect(search.search('acme', request)).rejects.toEqual(
      new SearchRefusedError(404, 'unknown-asset', 'No asset x to be similar to'),
    );
  });

  it('lets other failures through as they are', async () => {
    const failure = new Error('disk I/O error');
    const search = new SearchEngineSearch({
      search: async () => {
        throw failure;
      },
    });
    await expect(search.search('acme', request)).rejects.toBe(failure);
  });
});
