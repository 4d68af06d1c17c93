import { type S3BatchResult, type S3BatchTaskResult, validate } from '@sluice/contracts';
import { decodeS3Key, type Logger } from '@sluice/runtime';
import type { TaskObject, TaskOutcome } from './reprocess-object';

/** S3 and network errors a later attempt may not meet: S3 Batch Operations retries those tasks. */
const TRANSIENT_NAMES = new Set([
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'TimeoutError',
  'AbortError',
]);
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/** A task error as S3 Batch Operations should see it: retried (temporary) or reported (permanent). */
export function classifyError(error: unknown): TaskOutcome {
  const e = (error ?? {}) as {
    name?: string;
    code?: string;
    message?: string;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  const name = e.name ?? 'Error';
  const message = e.message ?? String(error);
  if (name === 'InvalidObjectState') {
    return {
      resultCode: 'PermanentFailure',
      resultString:
        `original-not-restored: the archived original is in a storage class that needs a restore first (sluice-ops restore <assetId>): ${message}`.slice(
          0,
          1024,
        ),
    };
  }
  const status = e.$metadata?.httpStatusCode ?? 0;
  const transient =
    TRANSIENT_NAMES.has(name) ||
    (e.code !== undefined && TRANSIENT_CODES.has(e.code)) ||
    e.$retryable !== undefined ||
    status === 429 ||
    status >= 500 ||
    // The processor's compare-and-swap gave up under contention: a later attempt settles it.
    /still contended after/.test(message);
  return {
    resultCode: transient ? 'TemporaryFailure' : 'PermanentFailure',
    resultString: `${name}: ${message}`.slice(0, 1024),
  };
}

/**
 * Answers one S3 Batch Operations invocation (schema 2.0): each task runs on its own, and its
 * error, if any, becomes that task's TemporaryFailure or PermanentFailure; nothing is thrown for a
 * task. An invocation that is not schema 2.0 fails every task it names, with the reason.
 */
export async function handleBatchInvocation(
  event: unknown,
  runTask: (task: TaskObject) => Promise<TaskOutcome>,
  logger: Logger,
): Promise<S3BatchResult> {
  const parsed = validate('s3-batch-invocation/v1', event);
  const raw = event as { invocationId?: unknown; tasks?: { taskId?: unknown }[] };
  if (!parsed.ok) {
    const taskIds = Array.isArray(raw?.tasks)
      ? raw.tasks.map((t) => t?.taskId).filter((id): id is string => typeof id === 'string' && id !== '')
      : [];
    if (typeof raw?.invocationId !== 'string' || taskIds.length === 0) {
      throw new Error(`Not an S3 Batch Operations invocation (schema 2.0): ${parsed.errors.join('; ')}`);
    }
    logger.error('Invalid S3 Batch Operations invocation', { errors: parsed.errors });
    return {
      invocationSchemaVersion: '2.0',
      treatMissingKeysAs: 'PermanentFailure',
      invocationId: raw.invocationId,
      results: taskIds.map((taskId) => ({
        taskId,
        resultCode: 'PermanentFailure',
        resultString: `invalid-invocation: ${parsed.errors.join('; ')}`.slice(0, 1024),
      })),
    };
  }
  const invocation = parsed.value;
  const results: S3BatchTaskResult[] = [];
  for (const task of invocation.tasks) {
    const object = { bucket: task.s3Bucket, key: decodeS3Key(task.s3Key) };
    let outcome: TaskOutcome;
    try {
      outcome = await runTask(object);
    } catch (error) {
      outcome = classifyError(error);
      logger.error('Batch task failed', {
        jobId: invocation.job.id,
        taskId: task.taskId,
        object: `${object.bucket}/${object.key}`,
        resultCode: outcome.resultCode,
        error: error as Error,
      });
    }
    results.push({ taskId: task.taskId, ...outcome });
  }
  return {
    invocationSchemaVersion: '2.0',
    treatMissingKeysAs: 'PermanentFailure',
    invocationId: invocation.invocationId,
    results,
  };
}
