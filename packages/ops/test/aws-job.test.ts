import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateJobCommand, DescribeJobCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import { mockClient } from 'aws-sdk-client-mock';
import { createReprocessJob, reprocessJobInput, waitForJob } from '../src/reprocess/aws-job';

const s3 = mockClient(S3Client);
const s3control = mockClient(S3ControlClient);
const base = {
  accountId: '111122223333',
  functionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:sluice-prod-reprocess:live',
  roleArn: 'arn:aws:iam::111122223333:role/sluice-prod-batch-operations',
  reportBucket: 'sluice-prod-processed',
  reportPrefix: 'batch-jobs/',
  clientRequestToken: '7d0c4c0e-6a56-4f4f-9d1f-4d0c3e9a1b2c',
  userArguments: { source: 'manifests' },
};

beforeEach(() => {
  s3.reset();
  s3control.reset();
});

describe('reprocess jobs on AWS (S3 Control CreateJob)', () => {
  it('lets S3 Batch Operations list the bucket itself, with a completion report of every task', async () => {
    const input = await reprocessJobInput(new S3Client({}), {
      ...base,
      manifest: { kind: 'listing', bucket: 'sluice-prod-processed', source: 'manifests' },
    });
    expect(input).toEqual({
      AccountId: '111122223333',
      ConfirmationRequired: false,
      ClientRequestToken: base.clientRequestToken,
      Priority: 10,
      RoleArn: base.roleArn,
      Description: 'sluice reprocess',
      Operation: {
        LambdaInvoke: {
          FunctionArn: base.functionArn,
          InvocationSchemaVersion: '2.0',
          UserArguments: { source: 'manifests' },
        },
      },
      Report: {
        Bucket: 'arn:aws:s3:::sluice-prod-processed',
        Prefix: 'batch-jobs',
        Format: 'Report_CSV_20180820',
        Enabled: true,
        ReportScope: 'AllTasks',
      },
      ManifestGenerator: {
        S3JobManifestGenerator: {
          ExpectedBucketOwner: '111122223333',
          SourceBucket: 'arn:aws:s3:::sluice-prod-processed',
          EnableManifestOutput: true,
          ManifestOutputLocation: {
            ExpectedManifestBucketOwner: '111122223333',
            Bucket: 'arn:aws:s3:::sluice-prod-processed',
            ManifestPrefix: 'batch-jobs/manifests',
            ManifestFormat: 'S3InventoryReport_CSV_20211130',
          },
          Filter: { KeyNameConstraint: { MatchAnyPrefix: ['manifests/'] } },
        },
      },
    });
    expect(s3.calls()).toHaveLength(0);
  });

  it('narrows a listing of originals to one tenant', async () => {
    const input = await reprocessJobInput(new S3Client({}), {
      ...base,
      manifest: { kind: 'listing', bucket: 'sluice-prod-archive', source: 'archive', tenantId: 'acme' },
    });
    expect(input.ManifestGenerator?.S3JobManifestGenerator?.Filter).toEqual({
      KeyNameConstraint: { MatchAnyPrefix: ['originals/acme/'] },
    });
  });

  it('uses an S3 Inventory report, pinned to its manifest.json ETag', async () => {
    s3.on(HeadObjectCommand).resolves({ ETag: '"60e460c9d1046e73f7dde5043ac3ae85"' });
    const input = await reprocessJobInput(new S3Client({}), {
      ...base,
      manifest: {
        kind: 'inventory',
        manifestBucket: 'sluice-inventory',
        manifestKey: 'archive/daily/2026-12-04T01-00Z/manifest.json',
      },
    });
    expect(input.Manifest).toEqual({
      Spec: { Format: 'S3InventoryReport_CSV_20161130' },
      Location: {
        ObjectArn: 'arn:aws:s3:::sluice-inventory/archive/daily/2026-12-04T01-00Z/manifest.json',
        ETag: '60e460c9d1046e73f7dde5043ac3ae85',
      },
    });
    expect(input.ManifestGenerator).toBeUndefined();
  });

  it('writes a CSV manifest of given tasks next to the reports and creates the job', async () => {
    s3.on(PutObjectCommand).resolves({});
    s3.on(HeadObjectCommand).resolves({ ETag: '"abc"' });
    s3control.on(CreateJobCommand).resolves({ JobId: 'a1b2c3d4-job' });
    const jobId = await createReprocessJob(new S3ControlClient({}), new S3Client({}), {
      ...base,
      manifest: {
        kind: 'tasks',
        tasks: [{ bucket: 'sluice-prod-archive', key: 'originals/acme/x/a b.jpg' }],
      },
    });
    expect(jobId).toBe('a1b2c3d4-job');
    const put = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(put).toMatchObject({
      Bucket: 'sluice-prod-processed',
      Key: `batch-jobs/manifests/${base.clientRequestToken}.csv`,
      Body: 'sluice-prod-archive,originals/acme/x/a%20b.jpg\n',
    });
    expect(s3control.commandCalls(CreateJobCommand)[0]?.args[0].input.Manifest).toEqual({
      Spec: { Format: 'S3BatchOperations_CSV_20180820', Fields: ['Bucket', 'Key'] },
      Location: {
        ObjectArn: `arn:aws:s3:::sluice-prod-processed/batch-jobs/manifests/${base.clientRequestToken}.csv`,
        ETag: 'abc',
      },
    });
  });

  it('refuses a job with no task', async () => {
    await expect(
      reprocessJobInput(new S3Client({}), { ...base, manifest: { kind: 'tasks', tasks: [] } }),
    ).rejects.toThrow('A job needs at least one task');
  });

  it('follows a job to its end, reporting progress', async () => {
    s3control
      .on(DescribeJobCommand)
      .resolvesOnce({
        Job: {
          Status: 'Active',
          ProgressSummary: { TotalNumberOfTasks: 2, NumberOfTasksSucceeded: 1, NumberOfTasksFailed: 0 },
        },
      })
      .resolves({
        Job: {
          Status: 'Complete',
          ProgressSummary: { TotalNumberOfTasks: 2, NumberOfTasksSucceeded: 2, NumberOfTasksFailed: 0 },
        },
      });
    const statuses: string[] = [];
    const job = await waitForJob(new S3ControlClient({}), '111122223333', 'job-1', {
      intervalMs: 1,
      onProgress: (j) => statuses.push(`${j.Status} ${j.ProgressSummary?.NumberOfTasksSucceeded}`),
    });
    expect(job.Status).toBe('Complete');
    expect(statuses).toEqual(['Active 1', 'Complete 2']);
  });
});
