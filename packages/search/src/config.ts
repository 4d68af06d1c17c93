import path from 'node:path';
import {
  type AwsConfig,
  ConfigError,
  type Env,
  optionalString,
  positiveInteger,
  readAwsConfig,
} from '@sluice/runtime';

export type EmbedderConfig =
  | { kind: 'local-features' }
  | { kind: 'bedrock'; modelId: string; dimension: number; aws: AwsConfig };

export type SearchConfig =
  | { backend: 'sqlite'; file: string; embedder: EmbedderConfig }
  | {
      backend: 's3vectors';
      vectorBucketName: string;
      indexName: string;
      embedder: EmbedderConfig;
      aws: AwsConfig;
    };

export const DEFAULT_INDEX_FILE = 'search-index.db';

/**
 * Where the search index lives and how it embeds, from the environment (services pass their env).
 *
 *   SEARCH_BACKEND       sqlite | s3vectors; default sqlite when INDEX_DB_PATH or SLUICE_DATA_DIR is set
 *   INDEX_DB_PATH        the SQLite file; default $SLUICE_DATA_DIR/search-index.db (the local stack sets it)
 *   VECTOR_BUCKET_NAME   s3vectors: the vector bucket
 *   VECTOR_INDEX_NAME    s3vectors: the index; default `assets`
 *   SEARCH_EMBEDDER      local-features | bedrock; default local-features for sqlite, bedrock for s3vectors
 *   BEDROCK_EMBEDDING_MODEL_ID    default amazon.titan-embed-image-v1
 *   BEDROCK_EMBEDDING_DIMENSION   256 | 384 | 1024, default 1024
 */
export function readSearchConfig(env: Env): SearchConfig {
  const aws = readAwsConfig(env);
  const dbPath = env.INDEX_DB_PATH?.trim();
  const dataDir = env.SLUICE_DATA_DIR?.trim();
  const backend = optionalString(env, 'SEARCH_BACKEND', dbPath || dataDir ? 'sqlite' : 's3vectors');
  const embedderKind = optionalString(
    env,
    'SEARCH_EMBEDDER',
    backend === 'sqlite' ? 'local-features' : 'bedrock',
  );
  let embedder: EmbedderConfig;
  if (embedderKind === 'local-features') embedder = { kind: 'local-features' };
  else if (embedderKind === 'bedrock') {
    const dimension = positiveInteger(env, 'BEDROCK_EMBEDDING_DIMENSION', 1024);
    if (![256, 384, 1024].includes(dimension)) {
      throw new ConfigError(`BEDROCK_EMBEDDING_DIMENSION must be 256, 384 or 1024, got ${dimension}`);
    }
    embedder = {
      kind: 'bedrock',
      modelId: optionalString(env, 'BEDROCK_EMBEDDING_MODEL_ID', 'amazon.titan-embed-image-v1'),
      dimension,
      aws,
    };
  } else throw new ConfigError(`SEARCH_EMBEDDER must be local-features or bedrock, got "${embedderKind}"`);

  if (backend === 'sqlite') {
    const file = dbPath || (dataDir ? path.join(dataDir, DEFAULT_INDEX_FILE) : '');
    if (!file) throw new ConfigError('SEARCH_BACKEND sqlite needs INDEX_DB_PATH or SLUICE_DATA_DIR');
    return { backend, file: path.resolve(file), embedder };
  }
  if (backend === 's3vectors') {
    const vectorBucketName = env.VECTOR_BUCKET_NAME?.trim();
    if (!vectorBucketName) throw new ConfigError('SEARCH_BACKEND s3vectors needs VECTOR_BUCKET_NAME');
    return {
      backend,
      vectorBucketName,
      indexName: optionalString(env, 'VECTOR_INDEX_NAME', 'assets'),
      embedder,
      aws,
    };
  }
  throw new ConfigError(`SEARCH_BACKEND must be sqlite or s3vectors, got "${backend}"`);
}
