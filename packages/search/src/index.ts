// @sluice/search: the search index (port, SQLite and S3 Vectors adapters), embedders, the query API.
export * from './config';
export * from './embedding/bedrock-embedder';
export * from './embedding/embedder';
export * from './embedding/image-features';
export * from './embedding/local-feature-embedder';
export * from './embedding/text-features';
export * from './errors';
export * from './index-store';
export * from './open';
export * from './query';
export * from './search-engine';
export * from './search-result';
export * from './stores/memory-index-store';
export * from './stores/s3-vectors-index-store';
// The SQLite store is at '@sluice/search/sqlite': importing it loads a native module.
