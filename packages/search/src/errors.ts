/** A search request the caller got wrong: answered with an HTTP 4xx and this code and message. */
export class SearchRequestError extends Error {
  constructor(
    readonly statusCode: 400 | 404,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SearchRequestError';
  }
}

/**
 * The index was built with another embedding model or dimension than the one configured: vectors
 * of two models are never mixed. Rebuild it (`npm run reindex -w @sluice/indexer -- --recreate`).
 */
export class IndexMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IndexMismatchError';
  }
}
