/**
 * Bulk reindex: every manifest in the processed bucket into the configured search index.
 *
 *   npm run reindex -w @sluice/indexer                 # with the indexer's environment
 *   npm run reindex -w @sluice/indexer -- --recreate   # after an embedder change: drop and rebuild
 *
 * Locally, with `npm start` running, it reads .sluice/local.json for the endpoint, bucket names
 * and data folder. Progress goes to stderr; a JSON summary to stdout. Exit 1 if any manifest failed.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import {
  createLogger,
  createS3Client,
  createSnsClient,
  S3Objects,
  SnsPipelineEventPublisher,
} from '@sluice/runtime';
import { openSearchIndex } from '@sluice/search';
import { S3DocumentStore } from './adapters/s3-document-store';
import { rasterizeWithSharp } from './adapters/sharp-rasterizer';
import { reindexAll } from './app/reindex-all';
import { readConfig } from './config';

function localEnvironment(): Record<string, string> {
  const stateFile = path.resolve(__dirname, '../../../.sluice/local.json');
  if (!existsSync(stateFile)) return {};
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as {
    awsEndpoint: string;
    buckets: Record<string, string>;
    topics: Record<string, string>;
    namePrefix: string;
  };
  return {
    AWS_ENDPOINT_URL: state.awsEndpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    PROCESSED_BUCKET: state.buckets.processed ?? '',
    PIPELINE_EVENTS_TOPIC_ARN: state.topics['pipeline-events'] ?? '',
    SLUICE_DATA_DIR: path.resolve(__dirname, '../../../.sluice/data', state.namePrefix),
  };
}

async function main(): Promise<void> {
  const recreate = process.argv.includes('--recreate');
  const env = { ...localEnvironment(), ...process.env };
  Object.assign(process.env, env);
  const config = readConfig(env);
  const s3 = createS3Client(config.aws);
  const objects = new S3Objects(s3);
  const { store: search, embedder } = openSearchIndex(config.search, {
    rasterize: rasterizeWithSharp,
    recreate,
  });
  const logger = createLogger('indexer-reindex');
  logger.setLogLevel('WARN');
  async function* manifestKeys(): AsyncGenerator<string> {
    let token: string | undefined;
    do {
      const out = await s3.send(
        new ListObjectsV2Command({
          Bucket: config.processedBucket,
          Prefix: 'manifests/',
          ContinuationToken: token,
        }),
      );
      for (const item of out.Contents ?? []) if (item.Key) yield item.Key;
      token = out.NextContinuationToken;
    } while (token);
  }
  const started = Date.now();
  const summary = await reindexAll(
    manifestKeys(),
    {
      objects,
      processedBucket: config.processedBucket,
      documents: new S3DocumentStore(objects, config.processedBucket),
      search,
      embedder,
      events: new SnsPipelineEventPublisher(
        createSnsClient(config.aws),
        config.pipelineEventsTopicArn,
        'indexer',
      ),
      logger,
    },
    (p) => {
      if (p.seen % 100 === 0)
        process.stderr.write(
          `reindex: ${p.seen} manifests, ${p.indexed} indexed, ${p.skipped} unchanged, ${p.failed.length} failed\n`,
        );
    },
  );
  await search.close();
  process.stderr.write(`reindex: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  process.stdout.write(
    `${JSON.stringify({ ...summary, index: search.backend, model: embedder.model }, null, 2)}\n`,
  );
  if (summary.failed.length > 0) process.exitCode = 1;
}

main().catch((error) => {
  process.stderr.write(`reindex: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
