import { assertValid } from '@sluice/contracts';
import { archiveKey, createLogger, manifestKey, renditionKey } from '@sluice/runtime';
import { processUpload } from '../src/app/process-upload';
import { ArchiveFallbackOriginals } from '../src/batch/archive-fallback-originals';
import { type ReprocessDeps, reprocessObject } from '../src/batch/reprocess-object';
import { classifyError, handleBatchInvocation } from '../src/batch/s3-batch';
import { parsePresets } from '../src/domain/presets';
import { fixture, harness, INGEST, PROCESSED } from './support/harness';
import { InMemoryStorage } from './support/in-memory-storage';

const ARCHIVE = 'archive-bucket';
const logger = createLogger('processor-batch-test');
logger.setLogLevel('SILENT');

const NEW_PRESETS = parsePresets({
  presets: [
    { name: 'tiny', width: 64, formats: [{ format: 'webp' }] },
    { name: 'medium', width: 120, formats: [{ format: 'jpeg' }] },
  ],
});

/**
 * A photo processed with the default presets, whose original the archiver then moved to the
 * archive bucket (a second in-memory store stands for it), ready to be reprocessed.
 */
async function processedAndArchived(options: { archive?: boolean } = {}) {
  const h = harness(fixture('jpeg/baseline-canon-40d.jpg'), {
    fileName: 'cat photo.jpg',
    contentType: 'image/jpeg',
  });
  const event = h.event();
  await expect(processUpload(event, h.deps)).resolves.toBe('succeeded');
  const before = h.storage.json(manifestKey(h.location.assetId)) as { renditions: { key: string }[] };
  const archive = new InMemoryStorage();
  if (options.archive !== false) {
    const body = h.storage.ingest.get(h.key)?.body as Buffer;
    archive.seed(archiveKey(h.location), body, 'image/jpeg');
    h.storage.ingest.delete(h.key);
  }
  const copies: string[] = [];
  const deps: ReprocessDeps = {
    process: { ...h.deps, presets: NEW_PRESETS },
    originalsFor: () =>
      new ArchiveFallbackOriginals(
        h.storage.originals,
        archive.originals,
        async (archived, _eTag, target) => {
          copies.push(`${archived} -> ${target}`);
          return 'moved';
        },
      ),
    buckets: { ingest: INGEST, processed: PROCESSED, archive: ARCHIVE },
    logger,
  };
  return { h, event, before, archive, deps, copies };
}

describe('reprocessObject', () => {
  it('regenerates every rendition of an archived original after a preset change', async () => {
    const { h, event, before, deps } = await processedAndArchived();
    expect(before.renditions.length).toBeGreaterThan(0);
    const outcome = await reprocessObject({ bucket: ARCHIVE, key: archiveKey(h.location) }, deps);
    expect(outcome.resultCode).toBe('Succeeded');
    expect(JSON.parse(outcome.resultString)).toEqual({
      assetId: h.location.assetId,
      outcome: 'reprocessed',
      from: 'archive',
      renditions: 2,
      removed: before.renditions.length - 1,
    });
    const manifest = assertValid('asset-manifest/v1', h.storage.json(manifestKey(h.location.assetId)));
    expect(manifest.renditions.map((r) => [r.preset, r.format, r.width])).toEqual([
      ['tiny', 'webp', 64],
      ['medium', 'jpeg', 100],
    ]);
    // Same write, same sequencer: a later real event of this key still counts as newer.
    expect(manifest.source).toMatchObject({ bucket: INGEST, key: h.key, sequencer: event.sequencer });
    const renditions = h.storage.processedKeys().filter((k) => k.startsWith('renditions/'));
    expect(renditions).toEqual(
      [
        renditionKey(h.location.assetId, 'medium', 'jpeg'),
        renditionKey(h.location.assetId, 'tiny', 'webp'),
      ].sort(),
    );
    expect(h.events.events.map((e) => e.type)).toEqual(['asset.processed', 'asset.processed']);
  });

  it('reprocesses an original still in the ingest bucket, named by its manifest', async () => {
    const { h, deps } = await processedAndArchived({ archive: false });
    const outcome = await reprocessObject({ bucket: PROCESSED, key: manifestKey(h.location.assetId) }, deps);
    expect(JSON.parse(outcome.resultString)).toMatchObject({
      outcome: 'reprocessed',
      from: 'ingest',
      renditions: 2,
    });
    expect(h.storage.ingestKeys()).toEqual([h.key]);
  });

  it('runs again on a repeat of the task and ends in the same state', async () => {
    const { h, deps } = await processedAndArchived();
    const task = { bucket: ARCHIVE, key: archiveKey(h.location) };
    await reprocessObject(task, deps);
    const first = h.storage.processedKeys();
    const again = await reprocessObject(task, deps);
    expect(JSON.parse(again.resultString)).toMatchObject({ outcome: 'reprocessed', removed: 0 });
    expect(h.storage.processedKeys()).toEqual(first);
  });

  it('never overrides the outputs of a newer upload of the key', async () => {
    const { h, deps } = await processedAndArchived({ archive: false });
    const newer = h.overwrite(fixture('jpeg/progressive.jpg'), '0055AED6DCD90281F0', 'image/jpeg');
    await processUpload(newer, h.deps);
    // The manifest now names the newer write; a reprocess keeps its sequencer and rewrites it faithfully.
    const outcome = await reprocessObject({ bucket: INGEST, key: h.key }, deps);
    expect(outcome.resultCode).toBe('Succeeded');
    const manifest = assertValid('asset-manifest/v1', h.storage.json(manifestKey(h.location.assetId)));
    expect(manifest.source.sequencer).toBe('0055AED6DCD90281F0');
    expect(manifest.image?.width).toBe(200);
  });

  it('reports a rejection under the new configuration, quarantining a copy and leaving the archive as it was', async () => {
    const { h, deps, archive, copies } = await processedAndArchived();
    deps.process = { ...deps.process, maxImageBytes: 100 };
    const outcome = await reprocessObject({ bucket: ARCHIVE, key: archiveKey(h.location) }, deps);
    expect(outcome).toEqual({
      resultCode: 'PermanentFailure',
      resultString: expect.stringMatching(/^rejected: too-large: Image is 7958 bytes/),
    });
    expect(copies).toEqual([
      `${archiveKey(h.location)} -> quarantine/acme/${h.location.assetId}/cat photo.jpg`,
    ]);
    expect(archive.ingestKeys()).toEqual([archiveKey(h.location)]);
  });

  it('fails a task whose original is nowhere, or that names something else', async () => {
    const { h, deps, archive } = await processedAndArchived();
    archive.ingest.clear();
    await expect(reprocessObject({ bucket: ARCHIVE, key: archiveKey(h.location) }, deps)).resolves.toEqual({
      resultCode: 'PermanentFailure',
      resultString: expect.stringMatching(/^original-not-found: /),
    });
    await expect(
      reprocessObject({ bucket: PROCESSED, key: 'renditions/x/thumb.webp' }, deps),
    ).resolves.toEqual({
      resultCode: 'PermanentFailure',
      resultString: expect.stringMatching(
        /^unsupported-object: processed-bucket\/renditions\/x\/thumb.webp is neither/,
      ),
    });
    await expect(reprocessObject({ bucket: 'elsewhere', key: h.key }, deps)).resolves.toMatchObject({
      resultCode: 'PermanentFailure',
    });
  });
});

describe('handleBatchInvocation', () => {
  const invocation = (tasks: object[]) => ({
    invocationSchemaVersion: '2.0',
    invocationId: 'YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo',
    job: { id: 'f3cc4f60-61f6-4a2b-8a21-d07600c373ce', userArguments: { reason: 'presets' } },
    tasks,
  });
  const task = (taskId: string, s3Key: string) => ({
    taskId,
    s3Key,
    s3VersionId: null,
    s3Bucket: 'archive-bucket',
  });

  it('answers one result per task, keys URL-decoded, errors classified, in the s3-batch-result/v1 shape', async () => {
    const seen: string[] = [];
    const result = await handleBatchInvocation(
      invocation([
        task('t1', 'originals/acme/0b6a7c1e-2f4d-4e8a-9c3b-5d6e7f8a9b0c/cat+photo%C3%A9.jpg'),
        task('t2', 'slow'),
        task('t3', 'cold'),
        task('t4', 'broken'),
      ]),
      async ({ bucket, key }) => {
        seen.push(`${bucket}/${key}`);
        if (key === 'slow')
          throw Object.assign(new Error('Please reduce your request rate.'), { name: 'SlowDown' });
        if (key === 'cold')
          throw Object.assign(new Error('not valid for the storage class'), { name: 'InvalidObjectState' });
        if (key === 'broken') throw new TypeError('boom');
        return { resultCode: 'Succeeded', resultString: 'ok' };
      },
      logger,
    );
    expect(seen[0]).toBe('archive-bucket/originals/acme/0b6a7c1e-2f4d-4e8a-9c3b-5d6e7f8a9b0c/cat photoé.jpg');
    expect(assertValid('s3-batch-result/v1', result)).toEqual({
      invocationSchemaVersion: '2.0',
      treatMissingKeysAs: 'PermanentFailure',
      invocationId: 'YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo',
      results: [
        { taskId: 't1', resultCode: 'Succeeded', resultString: 'ok' },
        {
          taskId: 't2',
          resultCode: 'TemporaryFailure',
          resultString: 'SlowDown: Please reduce your request rate.',
        },
        {
          taskId: 't3',
          resultCode: 'PermanentFailure',
          resultString: expect.stringMatching(/^original-not-restored: /),
        },
        { taskId: 't4', resultCode: 'PermanentFailure', resultString: 'TypeError: boom' },
      ],
    });
  });

  it('fails every task of an invocation that is not schema 2.0, with the reason', async () => {
    const result = await handleBatchInvocation(
      {
        invocationSchemaVersion: '1.0',
        invocationId: 'abc',
        job: { id: 'j' },
        tasks: [{ taskId: 't1', s3Key: 'a.jpg', s3VersionId: '1', s3BucketArn: 'arn:aws:s3:::b' }],
      },
      async () => {
        throw new Error('never called');
      },
      logger,
    );
    expect(result.results).toEqual([
      {
        taskId: 't1',
        resultCode: 'PermanentFailure',
        resultString: expect.stringMatching(/^invalid-invocation: /),
      },
    ]);
    await expect(
      handleBatchInvocation(
        { hello: 'world' },
        async () => ({ resultCode: 'Succeeded', resultString: '' }),
        logger,
      ),
    ).rejects.toThrow(/Not an S3 Batch Operations invocation/);
  });

  it.each([
    [
      'a 500',
      Object.assign(new Error('x'), { name: 'InternalError', $metadata: { httpStatusCode: 500 } }),
      'TemporaryFailure',
    ],
    [
      'a reset connection',
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      'TemporaryFailure',
    ],
    [
      'write contention',
      new Error('renditions/a: still contended after 5 conditional writes'),
      'TemporaryFailure',
    ],
    [
      'AccessDenied',
      Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
      'PermanentFailure',
    ],
  ])('classifies %s as a %s', (_label, error, expected) => {
    expect(classifyError(error).resultCode).toBe(expected);
  });
});
