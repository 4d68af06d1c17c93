import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { topology as defaultTopology, type Topology } from '@sluice/contracts';
import { type AwsClients, bucketOf, type Deployment } from '../deployment';
import { batchFunctionEnvironment } from './function-env';
import { FunctionWorker } from './function-worker';
import { type JobProgress, runLocalJob, type TaskReport, toCompletionReport } from './local-job';
import { listTasks, type TaskObject, type TaskSource, toCsvManifest } from './tasks';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const FUNCTION = 'reprocess';

/** The bucket (topology name) a task source lists. */
export const SOURCE_BUCKET: Record<TaskSource, string> = {
  manifests: 'processed',
  archive: 'archive',
  ingest: 'ingest',
};

export interface LocalReprocessOptions {
  source?: TaskSource;
  tenantId?: string;
  limit?: number;
  /** Tasks to run instead of a listing. */
  tasks?: TaskObject[];
  /** Extra environment for the function, e.g. PROCESSOR_PRESETS to try presets before deploying them. */
  env?: Record<string, string>;
  concurrency?: number;
  maxAttempts?: number;
  userArguments?: Record<string, string>;
  onProgress?: (progress: JobProgress) => void;
  /** Where the function's logs go. Default this process's stderr. */
  output?: NodeJS.WritableStream;
  topology?: Topology;
}

export interface LocalReprocessResult {
  jobId: string;
  progress: JobProgress;
  reports: TaskReport[];
  /** Where the manifest and the completion report were written (report bucket). */
  manifestKey: string;
  reportKey: string;
}

/**
 * `sluice-ops reprocess --local`: lists the tasks (as S3 Batch Operations' manifest generator
 * would), writes the manifest, runs the reprocess function's own handler module in a process of its
 * own with the function's environment, one schema 2.0 invocation per task, and writes the completion
 * report next to the manifest, as a job on AWS does.
 */
export async function reprocessLocally(
  clients: AwsClients,
  deployment: Deployment,
  options: LocalReprocessOptions = {},
): Promise<LocalReprocessResult> {
  const topology = options.topology ?? defaultTopology;
  const spec = topology.batchOperations?.[FUNCTION];
  if (!spec) throw new Error(`The topology has no batchOperations.${FUNCTION} function`);
  const source = options.source ?? 'manifests';
  const tasks =
    options.tasks ??
    (await listTasks(clients.s3, bucketOf(deployment, SOURCE_BUCKET[source]), source, {
      tenantId: options.tenantId,
      limit: options.limit,
    }));
  const jobId = crypto.randomUUID();
  const reportBucket = bucketOf(deployment, spec.reportBucket);
  const prefix = `${spec.reportPrefix}local-${jobId}/`;
  const manifestKey = `${prefix}manifest.csv`;
  await clients.s3.send(
    new PutObjectCommand({
      Bucket: reportBucket,
      Key: manifestKey,
      Body: toCsvManifest(tasks),
      ContentType: 'text/csv',
    }),
  );

  const worker = await FunctionWorker.start({
    entry: path.join(REPO_ROOT, spec.entry),
    functionName: FUNCTION,
    env: { ...batchFunctionEnvironment(FUNCTION, deployment, topology), ...options.env },
    timeoutMs: spec.timeoutSeconds * 1000,
    output: options.output,
  });
  let run: Awaited<ReturnType<typeof runLocalJob>>;
  try {
    run = await runLocalJob(tasks, (event) => worker.invoke(event), {
      jobId,
      concurrency: options.concurrency,
      maxAttempts: options.maxAttempts,
      userArguments: options.userArguments,
      onProgress: options.onProgress,
    });
  } finally {
    await worker.stop();
  }
  const reportKey = `${prefix}results.csv`;
  await clients.s3.send(
    new PutObjectCommand({
      Bucket: reportBucket,
      Key: reportKey,
      Body: toCompletionReport(run.reports),
      ContentType: 'text/csv',
    }),
  );
  return { jobId, progress: run.progress, reports: run.reports, manifestKey, reportKey };
}
