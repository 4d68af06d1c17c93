import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { PipelineEvent } from '@sluice/contracts';
import { type LocalStack, sluiceDir } from '@sluice/local';
import { type AuditReport, runAudit } from '@sluice/ops';
import type { PipelineEventTap } from './support';

/** The stack as a deployment file (what `npm start` writes), for the ops commands and the audit. */
export function deploymentFileFor(stack: LocalStack, namePrefix: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `${namePrefix}-`));
  const file = path.join(dir, 'local.json');
  const deployment = {
    region: 'us-east-1',
    awsEndpoint: stack.awsEndpoint,
    namePrefix,
    buckets: stack.resources.buckets,
    topics: stack.resources.topics,
    queues: stack.resources.queues,
  };
  writeFileSync(file, JSON.stringify(deployment, null, 2));
  return {
    file,
    deployment,
    /** The stack's SQLite search index (the indexer's SLUICE_DATA_DIR). */
    searchIndex: path.join(sluiceDir(), 'data', namePrefix, 'search-index.db'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface AuditRun {
  code: number;
  report: AuditReport;
  /** What `sluice audit` prints (the text report); its last line is `problems: <n>`. */
  text: string;
  lastLine: string;
}

/** `sluice audit` as the CLI runs it (grace 0: anything unfinished counts), text and JSON. */
export async function audit(file: string, searchIndex: string, extra: string[] = []): Promise<AuditRun> {
  const run = async (args: string[]) => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (c) => {
      out += c;
    });
    stderr.on('data', (c) => {
      err += c;
    });
    const code = await runAudit(
      ['--deployment', file, '--grace', '0', '--search-index', searchIndex, ...extra, ...args],
      { stdout, stderr, env: {}, cwd: os.tmpdir() },
    );
    return { code, out, err };
  };
  const json = await run(['--json']);
  if (json.code !== 0 && json.code !== 1) throw new Error(`audit failed to run: ${json.err}`);
  const report = JSON.parse(json.out) as AuditReport;
  const text = await run([]);
  return {
    code: text.code,
    report,
    text: text.out,
    lastLine: text.out.trimEnd().split('\n').pop() ?? '',
  };
}

/** Messages visible, in flight or delayed on a queue. */
export async function depth(sqs: SQSClient, url: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

/**
 * Waits until the pipeline is idle (its three queues empty) and the audit finds no problem (or what
 * `accept` expects); fails after `timeoutMs` with the last audit's report.
 */
export async function settle(
  sqs: SQSClient,
  queueUrls: string[],
  file: string,
  searchIndex: string,
  {
    timeoutMs = 90_000,
    accept = (run: AuditRun) => run.code === 0,
  }: { timeoutMs?: number; accept?: (run: AuditRun) => boolean } = {},
): Promise<AuditRun> {
  const deadline = Date.now() + timeoutMs;
  let last: AuditRun | undefined;
  let busy = 0;
  while (Date.now() < deadline) {
    busy = (await Promise.all(queueUrls.map((url) => depth(sqs, url)))).reduce((a, b) => a + b, 0);
    if (busy === 0) {
      last = await audit(file, searchIndex);
      if (accept(last)) return last;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(
    `The pipeline did not settle within ${timeoutMs} ms (${busy} message(s) still queued). Last audit:\n${last?.text ?? '(none: the queues never emptied)'}`,
  );
}

/** Every event the tap's queue holds, to the end (its drain takes ten messages a call). */
export async function drainAll(tap: PipelineEventTap): Promise<PipelineEvent[]> {
  let seen = -1;
  for (let quiet = 0; quiet < 2; ) {
    const now = (await tap.drain()).length;
    quiet = now === seen ? quiet + 1 : 0;
    seen = now;
  }
  return tap.drain();
}
