import { assertValid, type S3BatchInvocation } from '@sluice/contracts';
import { invocationFor, type JobProgress, runLocalJob, toCompletionReport } from '../src/reprocess/local-job';
import { encodeManifestKey, toCsvManifest } from '../src/reprocess/tasks';

const tasks = ['ok', 'flaky', 'rejected', 'broken', 'garbled'].map((key) => ({
  bucket: 'sluice-processed',
  key: `manifests/${key}.json`,
}));

/** A function that answers as S3 Batch Operations functions do, per task key. */
function fakeFunction() {
  const attempts = new Map<string, number>();
  const events: S3BatchInvocation[] = [];
  const invoke = async (event: S3BatchInvocation) => {
    events.push(assertValid('s3-batch-invocation/v1', event));
    const task = event.tasks[0];
    if (!task) throw new Error('no task');
    const key = decodeURIComponent(task.s3Key);
    const n = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, n);
    const result = (resultCode: string, resultString: string) => ({
      invocationSchemaVersion: '2.0',
      treatMissingKeysAs: 'PermanentFailure',
      invocationId: event.invocationId,
      results: [{ taskId: task.taskId, resultCode, resultString }],
    });
    if (key.includes('flaky') && n < 2)
      return result('TemporaryFailure', 'SlowDown: reduce your request rate');
    if (key.includes('rejected')) return result('PermanentFailure', 'rejected: pixel-limit: too big');
    if (key.includes('broken')) throw new Error('Task timed out after 300 seconds');
    if (key.includes('garbled')) return { hello: 'world' };
    return result('Succeeded', `{"outcome":"reprocessed","attempt":${n}}`);
  };
  return { invoke, events, attempts };
}

describe('runLocalJob', () => {
  it('runs one schema 2.0 invocation per task, retries temporary failures, and reports every task', async () => {
    const fn = fakeFunction();
    const seen: JobProgress[] = [];
    const { jobId, progress, reports } = await runLocalJob(tasks, fn.invoke, {
      concurrency: 2,
      retryDelayMs: 1,
      userArguments: { source: 'manifests' },
      onProgress: (p) => seen.push(p),
    });
    expect(progress).toEqual({ total: 5, done: 5, succeeded: 2, failed: 3, retries: 1 });
    expect(reports.map((r) => [r.key, r.status, r.resultCode, r.attempts])).toEqual([
      ['manifests/ok.json', 'succeeded', 'Succeeded', 1],
      ['manifests/flaky.json', 'succeeded', 'Succeeded', 2],
      ['manifests/rejected.json', 'failed', 'PermanentFailure', 1],
      ['manifests/broken.json', 'failed', 'PermanentFailure', 1],
      ['manifests/garbled.json', 'failed', 'PermanentFailure', 1],
    ]);
    expect(reports[3]?.resultString).toBe('function error: Task timed out after 300 seconds');
    expect(reports[4]?.resultString).toMatch(/^invalid function response: /);
    expect(
      fn.events.every(
        (e) => e.job.id === jobId && e.tasks.length === 1 && e.job.userArguments?.source === 'manifests',
      ),
    ).toBe(true);
    expect(new Set(fn.events.map((e) => e.invocationId)).size).toBe(fn.events.length);
    expect(seen[0]).toEqual({ total: 5, done: 0, succeeded: 0, failed: 0, retries: 0 });
    expect(seen.at(-1)).toEqual(progress);
  });

  it('gives up on a task that keeps failing temporarily, after maxAttempts', async () => {
    let calls = 0;
    const { reports } = await runLocalJob(
      [{ bucket: 'b', key: 'k' }],
      async (event) => {
        calls += 1;
        return {
          invocationSchemaVersion: '2.0',
          treatMissingKeysAs: 'PermanentFailure',
          invocationId: event.invocationId,
          results: [
            { taskId: event.tasks[0]?.taskId, resultCode: 'TemporaryFailure', resultString: 'SlowDown' },
          ],
        };
      },
      { maxAttempts: 3, retryDelayMs: 1 },
    );
    expect(calls).toBe(3);
    expect(reports[0]).toMatchObject({ status: 'failed', resultCode: 'TemporaryFailure', attempts: 3 });
  });

  it('answers an empty job at once', async () => {
    await expect(runLocalJob([], async () => ({}))).resolves.toMatchObject({
      progress: { total: 0, done: 0 },
      reports: [],
    });
  });
});

describe('manifests and reports', () => {
  it('URL-encodes keys as S3 Batch Operations manifests and events carry them', () => {
    const task = {
      bucket: 'sluice-archive',
      key: 'originals/acme/0b6a7c1e-2f4d-4e8a-9c3b-5d6e7f8a9b0c/holiday photo, é.jpg',
    };
    expect(encodeManifestKey(task.key)).toBe(
      'originals/acme/0b6a7c1e-2f4d-4e8a-9c3b-5d6e7f8a9b0c/holiday%20photo%2C%20%C3%A9.jpg',
    );
    expect(toCsvManifest([task])).toBe(`sluice-archive,${encodeManifestKey(task.key)}\n`);
    const event = invocationFor('job-1', task);
    expect(assertValid('s3-batch-invocation/v1', event).tasks[0]).toMatchObject({
      s3Bucket: 'sluice-archive',
      s3Key: encodeManifestKey(task.key),
      s3VersionId: null,
    });
  });

  it('writes a completion report with one row per task, quoting what needs it', () => {
    expect(
      toCompletionReport([
        {
          bucket: 'b',
          key: 'a b.jpg',
          status: 'succeeded',
          resultCode: 'Succeeded',
          resultString: '{"outcome":"reprocessed"}',
          attempts: 1,
        },
        {
          bucket: 'b',
          key: 'c.jpg',
          status: 'failed',
          resultCode: 'PermanentFailure',
          resultString: 'rejected: too-large, 9 bytes',
          attempts: 1,
        },
        {
          bucket: 'b',
          key: 'd.jpg',
          status: 'failed',
          resultCode: 'TemporaryFailure',
          resultString: 'SlowDown',
          attempts: 3,
        },
      ]),
    ).toBe(
      'b,a%20b.jpg,,succeeded,200,,"{""outcome"":""reprocessed""}"\n' +
        'b,c.jpg,,failed,400,PermanentFailure,"rejected: too-large, 9 bytes"\n' +
        'b,d.jpg,,failed,500,TemporaryFailure,SlowDown\n',
    );
  });
});
