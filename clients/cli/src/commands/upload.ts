import path from 'node:path';
import { type AssetView, assetState, isSettled, SluiceApiError, type SluiceClient } from '@sluice/client';
import type { PipelineEvent } from '@sluice/contracts';
import { stateDir } from '../config';
import { apiClient, type Context } from '../context';
import { CliError, ExitCode, type ExitCodeValue, toCliError, UsageError } from '../errors';
import { formatBytes, formatDuration, line, table } from '../io';
import { PipelineEventStream } from '../pipeline-events';
import { UploadJournal } from '../upload/journal';
import { progressFor, type UploadProgress } from '../upload/progress';
import { DEFAULT_UPLOAD_SETTINGS, FileUploader, MIB } from '../upload/uploader';
import { collectFiles, type LocalFile } from '../upload/walk';

export interface UploadOptions {
  concurrency: number;
  multipartThreshold: number;
  partSize: number;
  partConcurrency: number;
  wait: boolean;
  waitTimeout: number;
  resume: boolean;
  force: boolean;
  journal?: string;
  includeHidden: boolean;
  quiet: boolean;
  progress: boolean;
  retryDelayMs?: number;
}

export type FileOutcome = 'processed' | 'indexed' | 'archived' | 'rejected' | 'pending' | 'upload-failed';

export interface FileReport {
  file: string;
  size: number;
  assetId?: string;
  upload: 'uploaded' | 'skipped' | 'failed';
  multipart: boolean;
  resumed: boolean;
  /** Parts sent by this run (multipart uploads). */
  partsSent?: number;
  /** Where the asset got to: the furthest stage, rejected, pending (still going when we stopped waiting). */
  outcome: FileOutcome;
  rejection?: { reason: string; message: string; stage?: string };
  error?: string;
}

export interface UploadSummary {
  files: FileReport[];
  totals: {
    files: number;
    bytes: number;
    uploaded: number;
    skipped: number;
    uploadFailed: number;
    settledOk: number;
    rejected: number;
    pending: number;
  };
  durationMs: number;
  waited: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `worker` over `items`, `limit` at a time. */
async function eachLimit<T>(items: T[], limit: number, worker: (item: T, index: number) => Promise<void>) {
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const index = next++;
      await worker(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
}

function settledOutcome(view: AssetView): FileOutcome {
  const state = assetState(view);
  return state === 'uploaded' ? 'pending' : state;
}

/**
 * Waits until every uploaded asset is settled (rejected, or processed, indexed and archived), or
 * until the deadline: polls GET /assets/{id}, and listens to pipeline events when it can, since a
 * rejected file may have no status to poll.
 */
async function waitForPipeline(
  client: SluiceClient,
  reports: FileReport[],
  events: PipelineEventStream | undefined,
  timeoutMs: number,
  progress: UploadProgress,
): Promise<void> {
  const waiting = reports.filter((r) => r.assetId && r.upload !== 'failed');
  const byAsset = new Map(waiting.map((r) => [r.assetId as string, r]));
  const open = new Set(byAsset.keys());
  const deadline = Date.now() + timeoutMs;
  progress.beginWait(waiting.length);
  const describe = () => {
    const rejected = waiting.filter((r) => r.outcome === 'rejected').length;
    return `${waiting.length - open.size - rejected} done, ${rejected} rejected, ${open.size} in progress`;
  };
  const applyEvent = (event: PipelineEvent) => {
    const report = byAsset.get(event.assetId);
    if (!report) return;
    if (event.type === 'asset.rejected') {
      const detail = event.detail as { reason: string; message: string; stage: string };
      report.outcome = 'rejected';
      report.rejection = { reason: detail.reason, message: detail.message, stage: detail.stage };
      open.delete(event.assetId);
    }
  };
  while (open.size > 0 && Date.now() < deadline) {
    if (events) {
      for (const event of await events.receive(0).catch(() => [])) applyEvent(event);
    }
    await eachLimit([...open], 8, async (assetId) => {
      const report = byAsset.get(assetId) as FileReport;
      try {
        const view = await client.getAsset(assetId);
        report.outcome = settledOutcome(view);
        if (view.rejected) report.rejection = view.rejected;
        if (isSettled(view)) open.delete(assetId);
      } catch (error) {
        // Not there yet (or moved to quarantine): keep waiting; the events may tell.
        if (!(error instanceof SluiceApiError) || error.status !== 404) throw error;
      }
    });
    progress.settled(waiting.length - open.size, waiting.length, describe());
    if (open.size > 0) await sleep(events ? 250 : 1000);
  }
}

export function summarize(files: FileReport[], durationMs: number, waited: boolean): UploadSummary {
  const count = (predicate: (r: FileReport) => boolean) => files.filter(predicate).length;
  return {
    files,
    totals: {
      files: files.length,
      bytes: files.reduce((sum, r) => sum + r.size, 0),
      uploaded: count((r) => r.upload === 'uploaded'),
      skipped: count((r) => r.upload === 'skipped'),
      uploadFailed: count((r) => r.upload === 'failed'),
      settledOk: count((r) => r.outcome === 'archived'),
      rejected: count((r) => r.outcome === 'rejected'),
      pending: count((r) => r.upload !== 'failed' && r.outcome !== 'archived' && r.outcome !== 'rejected'),
    },
    durationMs,
    waited,
  };
}

export function exitCodeOf(summary: UploadSummary): ExitCodeValue {
  if (summary.totals.uploadFailed > 0 || summary.totals.rejected > 0) return ExitCode.failed;
  if (summary.waited && summary.totals.pending > 0) return ExitCode.timeout;
  return ExitCode.ok;
}

function printSummary(context: Context, summary: UploadSummary): void {
  const out = context.io.stdout;
  const { totals } = summary;
  line(
    out,
    `\n${totals.uploaded} uploaded${totals.skipped ? `, ${totals.skipped} already uploaded (skipped)` : ''}` +
      `${totals.uploadFailed ? `, ${totals.uploadFailed} failed to upload` : ''} — ${totals.files} files, ` +
      `${formatBytes(totals.bytes)} in ${formatDuration(summary.durationMs)}`,
  );
  if (summary.waited) {
    const rows = [
      ['processed', String(totals.settledOk), '(processed, indexed and archived)'],
      ['rejected', String(totals.rejected), ''],
      [
        'pending',
        String(totals.pending),
        totals.pending ? '(still in the pipeline when we stopped waiting)' : '',
      ],
    ];
    line(out, table(rows, '  '));
  } else {
    line(out, '  (not waiting for the pipeline: check with `sluice status <id>` or `sluice watch`)');
  }
  const rejected = summary.files.filter((r) => r.outcome === 'rejected');
  if (rejected.length) {
    line(out, '\nRejected:');
    line(
      out,
      table(
        rejected.map((r) => [
          r.file,
          r.rejection?.reason ?? 'rejected',
          (r.rejection?.message ?? '').replace(/\s+/g, ' ').trim(),
        ]),
        '  ',
      ),
    );
  }
  const failed = summary.files.filter((r) => r.upload === 'failed');
  if (failed.length) {
    line(out, '\nFailed to upload:');
    line(
      out,
      table(
        failed.map((r) => [r.file, r.error ?? '']),
        '  ',
      ),
    );
    line(out, '  Run the same command again to retry them; finished files are skipped.');
  }
  const pending = summary.files.filter(
    (r) => summary.waited && r.upload !== 'failed' && r.outcome !== 'archived' && r.outcome !== 'rejected',
  );
  if (pending.length) {
    line(out, '\nStill in the pipeline:');
    line(
      out,
      table(
        pending.map((r) => [r.file, r.assetId ?? '', r.outcome]),
        '  ',
      ),
    );
  }
}

export async function uploadCommand(
  context: Context,
  inputs: string[],
  options: UploadOptions,
): Promise<ExitCodeValue> {
  if (inputs.length === 0) throw new UsageError('Name at least one file or folder to upload');
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1 || options.concurrency > 64) {
    throw new UsageError('--concurrency must be a whole number from 1 to 64');
  }
  if (options.partSize < 5 * MIB) throw new UsageError('--part-size must be at least 5 MiB (S3 minimum)');
  const client = apiClient(context);
  const files = collectFiles(inputs, { includeHidden: options.includeHidden }, context.io.cwd);
  if (files.length === 0) throw new UsageError(`No files found in ${inputs.join(', ')}`);

  const journalFile = options.resume
    ? (options.journal ?? path.join(stateDir(context.io.env), 'uploads.json'))
    : undefined;
  const journal = new UploadJournal(journalFile);
  const uploader = new FileUploader(client, journal, {
    ...DEFAULT_UPLOAD_SETTINGS,
    multipartThreshold: options.multipartThreshold,
    partSize: options.partSize,
    partConcurrency: options.partConcurrency,
    force: options.force,
    ...(options.retryDelayMs !== undefined ? { retryDelayMs: options.retryDelayMs } : {}),
  });
  const progress = progressFor(context.io, {
    json: context.json,
    quiet: options.quiet,
    progress: options.progress,
  });
  const started = Date.now();

  // Listen before uploading, so that no rejection is missed. Best effort: polling still works without it.
  let events: PipelineEventStream | undefined;
  const { pipelineEventsTopicArn, region, awsEndpoint } = context.config;
  if (options.wait && pipelineEventsTopicArn) {
    events = await PipelineEventStream.open({
      topicArn: pipelineEventsTopicArn.value,
      region: region.value,
      endpoint: awsEndpoint?.value,
      types: ['asset.rejected'],
    }).catch(() => undefined);
  }

  const reports: FileReport[] = files.map((file) => ({
    file: file.display,
    size: file.size,
    upload: 'failed',
    multipart: false,
    resumed: false,
    outcome: 'upload-failed',
  }));
  let fatal: unknown;
  try {
    progress.begin(
      files.length,
      files.reduce((sum, f) => sum + f.size, 0),
    );
    await eachLimit(files, options.concurrency, async (file: LocalFile, index) => {
      const report = reports[index] as FileReport;
      if (fatal) return;
      const id = String(index);
      progress.fileStarted(id, file.display, file.size);
      try {
        const result = await uploader.upload(file, {
          bytes: (delta) => progress.bytes(id, delta),
          retry: (what, error, attempt) =>
            progress.note(`${file.display}: ${what} failed (${error.message}); retry ${attempt}`),
        });
        Object.assign(report, {
          assetId: result.assetId,
          upload: result.skipped ? 'skipped' : 'uploaded',
          multipart: result.multipart,
          resumed: result.resumed,
          ...(result.multipart && !result.skipped ? { partsSent: result.partsSent } : {}),
          outcome: 'pending',
        });
        progress.fileFinished(
          id,
          result.skipped ? 'already uploaded' : result.resumed ? 'resumed, uploaded' : 'uploaded',
        );
      } catch (error) {
        const mapped = toCliError(error, client.apiUrl);
        // Unreachable API or a refused token fails every file alike: stop at once.
        if (
          mapped instanceof CliError &&
          (mapped.exitCode === ExitCode.unreachable || mapped.exitCode === ExitCode.auth)
        ) {
          fatal = mapped;
        }
        report.error = (mapped as Error).message;
        progress.fileFinished(id, `failed: ${report.error}`);
      }
    });
    if (fatal) throw fatal;
    if (options.wait) await waitForPipeline(client, reports, events, options.waitTimeout * 1000, progress);
  } finally {
    progress.end();
    await events?.close();
  }
  const summary = summarize(reports, Date.now() - started, options.wait);
  if (context.json) line(context.io.stdout, JSON.stringify(summary, null, 2));
  else printSummary(context, summary);
  return exitCodeOf(summary);
}
