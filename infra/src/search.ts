import { Aws, type Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { SluiceConfig } from './config';
import type { SsmImports } from './constructs/ssm-imports';

/**
 * The search index on AWS (@sluice/search with SEARCH_BACKEND=s3vectors): an Amazon S3 Vectors vector
 * bucket, created by the foundation stack, and Bedrock embeddings. The topology has no environment
 * reference for a vector bucket (topology/v1 refs are bucket, topic, queue and value), so the variables
 * below come from here, for the services whose access entry (src/access.ts) says `search`. A literal
 * the topology sets for the same variable wins, and the grants follow the value the function gets.
 *
 * The index itself is created by the indexer on first use (CreateIndex with the embedding model and
 * dimension as tags, checked before every first use): a new model or dimension means a new index name.
 */
export type SearchAccess = 'read' | 'write';

/** packages/search/README.md, "On AWS": what the indexer (write) and GET /search (read) call. */
export const S3_VECTORS_ACTIONS: Readonly<Record<SearchAccess, readonly string[]>> = {
  write: [
    's3vectors:GetIndex',
    's3vectors:CreateIndex',
    's3vectors:ListTagsForResource',
    's3vectors:TagResource',
    's3vectors:PutVectors',
    's3vectors:GetVectors',
    's3vectors:DeleteVectors',
    's3vectors:ListVectors',
  ],
  read: [
    's3vectors:GetIndex',
    's3vectors:ListTagsForResource',
    's3vectors:QueryVectors',
    's3vectors:GetVectors',
    's3vectors:ListVectors',
  ],
};

/** The environment @sluice/search's readSearchConfig reads, for the S3 Vectors backend with Bedrock. */
export function searchEnvironment(config: SluiceConfig, imports: SsmImports): Record<string, string> {
  return {
    SEARCH_BACKEND: 's3vectors',
    VECTOR_BUCKET_NAME: imports.vectorBucketName,
    VECTOR_INDEX_NAME: config.vectorIndexName,
    SEARCH_EMBEDDER: 'bedrock',
    BEDROCK_EMBEDDING_MODEL_ID: config.bedrockEmbeddingModelId,
    BEDROCK_EMBEDDING_DIMENSION: String(config.bedrockEmbeddingDimension),
  };
}

/**
 * S3 Vectors actions on the one index the function is configured with (its VECTOR_INDEX_NAME), and
 * bedrock:InvokeModel on its embedding model (BEDROCK_EMBEDDING_MODEL_ID), in the function's region.
 */
export function grantSearch(
  stack: Stack,
  role: iam.Role,
  access: SearchAccess,
  environment: Record<string, string>,
  imports: SsmImports,
): void {
  const indexName = environment.VECTOR_INDEX_NAME;
  const modelId = environment.BEDROCK_EMBEDDING_MODEL_ID;
  if (!indexName || !modelId)
    throw new Error('grantSearch: VECTOR_INDEX_NAME and BEDROCK_EMBEDDING_MODEL_ID');
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: [...S3_VECTORS_ACTIONS[access]],
      resources: [`${imports.vectorBucketArn}/index/${indexName}`],
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['bedrock:InvokeModel'],
      resources: [`arn:${Aws.PARTITION}:bedrock:${stack.region}::foundation-model/${modelId}`],
    }),
  );
}
