import { randomUUID } from 'node:crypto';
import type { S3BatchInvocation, S3BatchResult } from '@sluice/contracts';
import { validate } from '@sluice/contracts';
import { encodeManifestKey, type TaskObject } from './tasks';

export type TaskStatus = 'succeeded' | 'failed';

export interface TaskReport extends TaskObject {
  status: TaskStatus;
  resultCode: 'Succeeded' | 'TemporaryFailure' | 'PermanentFailure';
  resultString: string;
  attempts: number;
}

export interface JobProgress {
  total: number;
  done: number;
  succeeded: number;
  failed: number;
  retries: number;
}

export interface LocalJobOptions {
  jobId?: string;
  userArguments?: Record<string, string>;
  /** Invocations in flight at once. Default 2. */
  concurrency?: number;
  /** Attempts per task while it answers TemporaryFailure (S3 Batch Operations retries them too). Default 3. */
  maxAttempts?: number;
  /** Delay before retrying a TemporaryFailure, doubled each time. Default 500 ms. */
  retryDelayMs?: number;
  onProgress?: (progress: JobProgress) => void;
}

export type Invoke = (event: S3BatchInvocation) => Promise<unknown>;

const base64Id = () => Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url');

/** The event S3 Batch Operations sends for one task (it sends one task per invocation). */
export function invocationFor(
  jobId: string,
  task: TaskObject,
  userArguments?: Record<string, string>,
): S3BatchInvocation {
  return {
    invocationSchemaVersion: '2.0',
    invocationId: base64Id(),
    job: { id: jobId, ...(userArguments ? { userArguments } : {}) },
    tasks: [
      { taskId: base64Id(), s3Key: encodeManifestKey(task.key), s3VersionId: null, s3Bucket: task.bucket },
    ],
  };
}

/**
 * Runs a reprocess job locally the way S3 Batch Operations runs it on AWS: one invocation per
 * task, schema 2.0 events, TemporaryFailure retried, PermanentFailure and handler errors reported;
 * every task ends in the report, none is dropped.
 */
export async function runLocalJob(
  tasks: readonly TaskObject[],
  invoke: Invoke,
  options: LocalJobOptions = {},
): Promise<{ jobId: string; progress: JobProgress; reports: TaskReport[] }> {
  const jobId = options.jobId ?? randomUUID();
  const maxAttempts = options.maxAttempts ?? 3;
  const progress: JobProgress = { total: tasks.length, done: 0, succeeded: 0, failed: 0, retries: 0 };
  const reports = new Array<TaskReport>(tasks.length);
  options.onProgress?.({ ...progress });

  const runOne = async (task: TaskObject): Promise<TaskReport> => {
    for (let attempt = 1; ; attempt++) {
      const event = invocationFor(jobId, task, options.userArguments);
      let outcome: Pick<TaskReport, 'resultCode' | 'resultString'>;
      try {
        const raw = await invoke(event);
        const parsed = validate('s3-batch-result/v1', raw);
        const result = parsed.ok
          ? (parsed.value as S3BatchResult).results.find((r) => r.taskId === event.tasks[0]?.taskId)
          : undefined;
        outcome = result
          ? { resultCode: result.resultCode, resultString: result.resultString }
          : parsed.ok
            ? {
                resultCode: parsed.value.treatMissingKeysAs,
                resultString: 'the function answered no result for the task',
              }
            : {
                resultCode: 'PermanentFailure',
                resultString: `invalid function response: ${parsed.errors.join('; ')}`,
              };
      } catch (error) {
        // A function error: S3 Batch Operations fails the task and records the error message.
        outcome = {
          resultCode: 'PermanentFailure',
          resultString: `function error: ${(error as Error).message}`.slice(0, 1024),
        };
      }
      if (outcome.resultCode !== 'TemporaryFailure' || attempt >= maxAttempts) {
        return {
          ...task,
          ...outcome,
          status: outcome.resultCode === 'Succeeded' ? 'succeeded' : 'failed',
          attempts: attempt,
        };
      }
      progress.retries += 1;
      await new Promise((resolve) => setTimeout(resolve, (options.retryDelayMs ?? 500) * 2 ** (attempt - 1)));
    }
  };

  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      const report = await runOne(tasks[index] as TaskObject);
      reports[index] = report;
      progress.done += 1;
      if (report.status === 'succeeded') progress.succeeded += 1;
      else progress.failed += 1;
      options.onProgress?.({ ...progress });
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 2, tasks.length)) }, worker),
  );
  return { jobId, progress, reports };
}

const csvField = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/**
 * A completion report shaped like S3 Batch Operations' Report_CSV_20180820 rows: bucket, key
 * (URL-encoded), version id, task status, status code (200, or 400 / 500 for permanent / retried
 * out), error code (the result code of a failed task), result message.
 */
export function toCompletionReport(reports: readonly TaskReport[]): string {
  return reports
    .map((r) =>
      [
        r.bucket,
        encodeManifestKey(r.key),
        '',
        r.status,
        r.status === 'succeeded' ? '200' : r.resultCode === 'TemporaryFailure' ? '500' : '400',
        r.status === 'succeeded' ? '' : r.resultCode,
        r.resultString,
      ]
        .map(csvField)
        .join(','),
    )
    .map((line) => `${line}\n`)
    .join('');
}
