import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { S3VectorsClient } from '@aws-sdk/client-s3vectors';
import type { AwsConfig } from '@sluice/runtime';
import type { SearchConfig } from './config';
import { BedrockEmbedder } from './embedding/bedrock-embedder';
import type { Embedder } from './embedding/embedder';
import { LocalFeatureEmbedder, type Rasterizer } from './embedding/local-feature-embedder';
import type { IndexStore } from './index-store';
import { SearchEngine } from './search-engine';
import { S3VectorsIndexStore } from './stores/s3-vectors-index-store';

export interface SearchIndex {
  store: IndexStore;
  embedder: Embedder;
  engine: SearchEngine;
}

export interface OpenSearchIndexOptions {
  /** Decodes renditions for the local embedder; only the indexer needs it (queries embed text). */
  rasterize?: Rasterizer;
  /** Drop an index built with another model (the reindex command's --recreate). */
  recreate?: boolean;
}

function clientConfig(aws: AwsConfig) {
  return { region: aws.region, ...(aws.endpoint ? { endpoint: aws.endpoint } : {}) };
}

/**
 * The SQLite store loads better-sqlite3, a native module that only the local runtime has: required on
 * first use, so a Lambda bundle on the S3 Vectors backend never evaluates it.
 */
function loadSqliteStore(): typeof import('./stores/sqlite-index-store').SqliteIndexStore {
  return (require('./stores/sqlite-index-store') as typeof import('./stores/sqlite-index-store'))
    .SqliteIndexStore;
}

/** The configured store, embedder and query engine, created once per container. */
export function openSearchIndex(config: SearchConfig, options: OpenSearchIndexOptions = {}): SearchIndex {
  const embedder: Embedder =
    config.embedder.kind === 'bedrock'
      ? new BedrockEmbedder(new BedrockRuntimeClient(clientConfig(config.embedder.aws)), {
          modelId: config.embedder.modelId,
          dimension: config.embedder.dimension,
        })
      : new LocalFeatureEmbedder(options.rasterize);
  const embedding = { model: embedder.model, dimension: embedder.dimension };
  const store: IndexStore =
    config.backend === 'sqlite'
      ? new (loadSqliteStore())({ file: config.file, embedding, recreate: options.recreate })
      : new S3VectorsIndexStore(new S3VectorsClient(clientConfig(config.aws)), {
          vectorBucketName: config.vectorBucketName,
          indexName: config.indexName,
          embedding,
        });
  return { store, embedder, engine: new SearchEngine(store, embedder) };
}
