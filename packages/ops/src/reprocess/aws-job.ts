import { randomUUID } from 'node:crypto';
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateJobCommand,
  type CreateJobCommandInput,
  DescribeJobCommand,
  type JobDescriptor,
  type S3ControlClient,
} from '@aws-sdk/client-s3-control';
import { listingPrefix, type TaskObject, type TaskSource, toCsvManifest } from './tasks';

const arnOfBucket = (bucket: string) => `arn:aws:s3:::${bucket}`;
const arnOfObject = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;

/** Where a job's task list comes from. */
export type JobManifestSource =
  /** S3 Batch Operations lists the bucket itself (S3JobManifestGenerator), keys under a prefix. */
  | { kind: 'listing'; bucket: string; source: TaskSource; tenantId?: string }
  /** An S3 Inventory report of the bucket: its manifest.json. */
  | { kind: 'inventory'; manifestBucket: string; manifestKey: string }
  /** These tasks, written as a CSV manifest next to the reports. */
  | { kind: 'tasks'; tasks: readonly TaskObject[] };

export interface ReprocessJobRequest {
  accountId: string;
  /** The reprocess function (batchOperations.reprocess), an ARN with a version or alias preferably. */
  functionArn: string;
  /** The role S3 Batch Operations assumes: lambda:InvokeFunction, reads of the manifest, writes of the report. */
  roleArn: string;
  manifest: JobManifestSource;
  reportBucket: string;
  reportPrefix: string;
  description?: string;
  priority?: number;
  userArguments?: Record<string, string>;
  /** Idempotency token: the same token never creates a second job. Default a new UUID. */
  clientRequestToken?: string;
}

/** The CreateJob request for a reprocess job (LambdaInvoke, invocation schema 2.0, report of all tasks). */
export async function reprocessJobInput(
  s3: S3Client,
  request: ReprocessJobRequest,
): Promise<CreateJobCommandInput> {
  const token = request.clientRequestToken ?? randomUUID();
  const prefix = request.reportPrefix.replace(/\/$/, '');
  const input: CreateJobCommandInput = {
    AccountId: request.accountId,
    ConfirmationRequired: false,
    ClientRequestToken: token,
    Priority: request.priority ?? 10,
    RoleArn: request.roleArn,
    Description: (request.description ?? 'sluice reprocess').slice(0, 256),
    Operation: {
      LambdaInvoke: {
        FunctionArn: request.functionArn,
        InvocationSchemaVersion: '2.0',
        ...(request.userArguments ? { UserArguments: request.userArguments } : {}),
      },
    },
    Report: {
      Bucket: arnOfBucket(request.reportBucket),
      Prefix: prefix,
      Format: 'Report_CSV_20180820',
      Enabled: true,
      ReportScope: 'AllTasks',
    },
  };
  const manifest = request.manifest;
  if (manifest.kind === 'listing') {
    input.ManifestGenerator = {
      S3JobManifestGenerator: {
        ExpectedBucketOwner: request.accountId,
        SourceBucket: arnOfBucket(manifest.bucket),
        EnableManifestOutput: true,
        ManifestOutputLocation: {
          ExpectedManifestBucketOwner: request.accountId,
          Bucket: arnOfBucket(request.reportBucket),
          ManifestPrefix: `${prefix}/manifests`,
          ManifestFormat: 'S3InventoryReport_CSV_20211130',
        },
        Filter: {
          KeyNameConstraint: { MatchAnyPrefix: [listingPrefix(manifest.source, manifest.tenantId)] },
        },
      },
    };
  } else {
    let bucket: string;
    let key: string;
    let format: 'S3InventoryReport_CSV_20161130' | 'S3BatchOperations_CSV_20180820';
    if (manifest.kind === 'inventory') {
      bucket = manifest.manifestBucket;
      key = manifest.manifestKey;
      format = 'S3InventoryReport_CSV_20161130';
    } else {
      if (manifest.tasks.length === 0) throw new Error('A job needs at least one task');
      bucket = request.reportBucket;
      key = `${prefix}/manifests/${token}.csv`;
      format = 'S3BatchOperations_CSV_20180820';
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: toCsvManifest(manifest.tasks),
          ContentType: 'text/csv',
        }),
      );
    }
    // CreateJob pins the manifest to its ETag: a manifest changed afterwards fails the job, not a task.
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    if (!head.ETag) throw new Error(`S3 returned no ETag for the manifest ${bucket}/${key}`);
    input.Manifest = {
      Spec:
        format === 'S3BatchOperations_CSV_20180820'
          ? { Format: format, Fields: ['Bucket', 'Key'] }
          : { Format: format },
      Location: { ObjectArn: arnOfObject(bucket, key), ETag: head.ETag.replace(/"/g, '') },
    };
  }
  return input;
}

/** Creates the job on AWS; answers its id. */
export async function createReprocessJob(
  s3control: S3ControlClient,
  s3: S3Client,
  request: ReprocessJobRequest,
): Promise<string> {
  const out = await s3control.send(new CreateJobCommand(await reprocessJobInput(s3, request)));
  if (!out.JobId) throw new Error('S3 Control returned no job id');
  return out.JobId;
}

export async function describeJob(
  s3control: S3ControlClient,
  accountId: string,
  jobId: string,
): Promise<JobDescriptor> {
  const out = await s3control.send(new DescribeJobCommand({ AccountId: accountId, JobId: jobId }));
  if (!out.Job) throw new Error(`No job ${jobId}`);
  return out.Job;
}

const FINAL = new Set(['Complete', 'Failed', 'Cancelled']);

/** Polls a job until it ends, reporting its progress summary. */
export async function waitForJob(
  s3control: S3ControlClient,
  accountId: string,
  jobId: string,
  {
    intervalMs = 10_000,
    timeoutMs = 6 * 3600_000,
    onProgress,
  }: { intervalMs?: number; timeoutMs?: number; onProgress?: (job: JobDescriptor) => void } = {},
): Promise<JobDescriptor> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await describeJob(s3control, accountId, jobId);
    onProgress?.(job);
    if (job.Status && FINAL.has(job.Status)) return job;
    if (Date.now() > deadline)
      throw new Error(`Job ${jobId} still ${job.Status} after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
