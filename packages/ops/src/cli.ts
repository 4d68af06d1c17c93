import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { RestoreRequestError } from '@sluice/archiver';
import type { OriginalStatus } from '@sluice/contracts';
import { topology } from '@sluice/contracts';
import {
  type AwsClients,
  awsClientsFor,
  bucketOf,
  type Deployment,
  DeploymentError,
  loadDeployment,
} from './deployment';
import { DlqError, DlqTool, resolveDeadLetter } from './dlq';
import { createReprocessJob, type JobManifestSource, waitForJob } from './reprocess/aws-job';
import type { JobProgress } from './reprocess/local-job';
import { reprocessLocally, SOURCE_BUCKET } from './reprocess/reprocess';
import { listTasks, TASK_SOURCES, type TaskSource } from './reprocess/tasks';
import { AssetNotFoundError, originalStatus, requestRestore } from './restore';

export const USAGE = `sluice-ops: operate a Sluice deployment

  sluice-ops dlq list
  sluice-ops dlq inspect <queue> [--limit N]
  sluice-ops dlq redrive <queue> [--asset <assetId>] [--match <text>] [--max N]
  sluice-ops dlq purge <queue> [--yes]
  sluice-ops reprocess [--local|--aws] [--source manifests|archive|ingest] [--tenant <id>] [--limit N]
                       [--presets <file>] [--concurrency N]                                  (local)
                       [--function-arn <arn> --role-arn <arn> [--account-id <id>]
                        [--inventory s3://bucket/manifest.json | --csv] [--wait]]             (AWS)
  sluice-ops restore <assetId> [--tier Expedited|Standard|Bulk] [--days N]
  sluice-ops original <assetId>            where an original is, its restore progress, a download URL

  <queue>: a dead-letter queue, its source queue or the service it feeds (processor, indexer, archiver, ...)
  Options for every command: --deployment <file> (default .sluice/local.json, or $SLUICE_DEPLOYMENT), --json
`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

const OPTIONS = {
  deployment: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  limit: { type: 'string' },
  asset: { type: 'string' },
  match: { type: 'string' },
  max: { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  local: { type: 'boolean' },
  aws: { type: 'boolean' },
  source: { type: 'string' },
  tenant: { type: 'string' },
  presets: { type: 'string' },
  concurrency: { type: 'string' },
  'function-arn': { type: 'string' },
  'role-arn': { type: 'string' },
  'account-id': { type: 'string' },
  inventory: { type: 'string' },
  csv: { type: 'boolean' },
  wait: { type: 'boolean' },
  tier: { type: 'string' },
  days: { type: 'string' },
} as const;

function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new UsageError(`--${name} must be a positive integer, got "${value}"`);
  return n;
}

function progressPrinter(io: CliIo, label: string) {
  let lastDecile = -1;
  return (p: JobProgress) => {
    const line = `${label}: ${p.done}/${p.total} done, ${p.succeeded} succeeded, ${p.failed} failed${p.retries ? `, ${p.retries} retried` : ''}`;
    if (io.stderr.isTTY) {
      io.stderr.write(`\r${line}${p.done === p.total ? '\n' : ''}`);
      return;
    }
    const decile = p.total === 0 ? 10 : Math.floor((p.done / p.total) * 10);
    if (decile !== lastDecile || p.done === p.total) {
      lastDecile = decile;
      io.stderr.write(`${line}\n`);
    }
  };
}

function describeOriginalStatus(assetId: string, s: OriginalStatus): string {
  const lines = [
    `asset ${assetId}: original ${s.availability} (${s.location}${s.storageClass ? `, ${s.storageClass}` : ''}${s.archiveAccessTier ? ` ${s.archiveAccessTier}` : ''})`,
  ];
  if (s.restoreRequested) lines.push(`restore: ${s.restoreRequested}`);
  if (s.restoreExpiresAt) lines.push(`restored copy readable until ${s.restoreExpiresAt}`);
  if (s.download) lines.push(`download (until ${s.download.expiresAt}): ${s.download.url}`);
  return `${lines.join('\n')}\n`;
}

async function confirm(io: CliIo, question: string, expected: string): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    return (await rl.question(question)).trim() === expected;
  } finally {
    rl.close();
  }
}

async function dlqCommand(
  args: string[],
  values: Record<string, unknown>,
  clients: AwsClients,
  deployment: Deployment,
  io: CliIo,
): Promise<number> {
  const [sub, name] = args;
  const tool = new DlqTool(clients.sqs, deployment);
  const json = values.json === true;
  const out = (text: string, doc: unknown) =>
    io.stdout.write(json ? `${JSON.stringify(doc, null, 2)}\n` : text);
  if (sub === 'list') {
    const rows = await tool.list();
    out(
      rows
        .map(
          (r) =>
            `${r.deadLetterQueue.padEnd(24)} ${String(r.visible).padStart(6)} waiting ${String(r.inFlight).padStart(4)} in flight  <- ${r.queue}${r.service ? ` (${r.service})` : ''}\n`,
        )
        .join(''),
      rows,
    );
    return 0;
  }
  if (!name) throw new UsageError(`dlq ${sub ?? ''}: which queue? (see sluice-ops dlq list)`);
  if (sub === 'inspect') {
    const { pair, messages } = await tool.inspect(name, positiveInt(values.limit as string, 'limit') ?? 10);
    out(
      `${pair.deadLetterQueue}: ${messages.length} message(s) shown (left in the queue)\n` +
        messages
          .map(
            (m) =>
              `- ${m.messageId} received ${m.receiveCount}x${m.sentAt ? `, sent ${m.sentAt}` : ''}, ${m.kind}${m.objects.length ? `: ${m.objects.join(', ')}` : ''}${m.assetIds.length ? ` [asset ${m.assetIds.join(', ')}]` : ''}\n`,
          )
          .join(''),
      messages,
    );
    return 0;
  }
  if (sub === 'redrive') {
    const filter = {
      ...(values.asset ? { assetId: values.asset as string } : {}),
      ...(values.match ? { contains: values.match as string } : {}),
    };
    const result = await tool.redrive(name, {
      filter,
      maxMessages: positiveInt(values.max as string, 'max') ?? 1000,
      onProgress: (moved) => io.stderr.write(`redrive: ${moved} moved\n`),
    });
    out(
      `${result.pair.deadLetterQueue} -> ${result.pair.queue}: ${result.moved} moved, ${result.skipped} left (not matching), ${result.remaining} remaining\n`,
      {
        queue: result.pair.queue,
        deadLetterQueue: result.pair.deadLetterQueue,
        moved: result.moved,
        skipped: result.skipped,
        remaining: result.remaining,
      },
    );
    return 0;
  }
  if (sub === 'purge') {
    const pair = resolveDeadLetter(name, deployment);
    if (values.yes !== true && !io.stdin.isTTY) {
      throw new UsageError(
        `Refusing to purge ${pair.deadLetterQueue} without --yes: there is no terminal to confirm on`,
      );
    }
    if (values.yes !== true) {
      const { visible, inFlight } = await tool.counts(pair.deadLetterUrl);
      const ok = await confirm(
        io,
        `Delete all ${visible + inFlight} message(s) of ${pair.deadLetterQueue} for good? Type its name to confirm: `,
        pair.deadLetterQueue,
      );
      if (!ok) {
        io.stderr.write('Not confirmed; nothing purged.\n');
        return 1;
      }
    }
    const result = await tool.purge(pair.deadLetterQueue);
    out(`${result.pair.deadLetterQueue}: purged ${result.purged} message(s)\n`, {
      deadLetterQueue: result.pair.deadLetterQueue,
      purged: result.purged,
    });
    return 0;
  }
  throw new UsageError(`Unknown dlq command "${sub ?? ''}": list, inspect, redrive or purge`);
}

async function reprocessCommand(
  values: Record<string, unknown>,
  clients: AwsClients,
  deployment: Deployment,
  io: CliIo,
): Promise<number> {
  const source = (values.source as string | undefined) ?? 'manifests';
  if (!TASK_SOURCES.includes(source as TaskSource))
    throw new UsageError(`--source must be one of ${TASK_SOURCES.join(', ')}`);
  if (values.local && values.aws) throw new UsageError('--local or --aws, not both');
  const local = values.local === true || (values.aws !== true && deployment.awsEndpoint !== undefined);
  const spec = topology.batchOperations?.reprocess;
  if (!spec) throw new UsageError('The topology has no batchOperations.reprocess function');
  const json = values.json === true;

  if (local) {
    let env: Record<string, string> | undefined;
    if (values.presets) {
      const text = readFileSync(values.presets as string, 'utf8');
      JSON.parse(text); // A broken file fails here, before any work; the function validates the presets.
      env = { PROCESSOR_PRESETS: text };
    }
    const result = await reprocessLocally(clients, deployment, {
      source: source as TaskSource,
      tenantId: values.tenant as string | undefined,
      limit: positiveInt(values.limit as string, 'limit'),
      concurrency: positiveInt(values.concurrency as string, 'concurrency'),
      env,
      onProgress: progressPrinter(io, 'reprocess'),
    });
    const failed = result.reports.filter((r) => r.status === 'failed');
    const report = `s3://${bucketOf(deployment, spec.reportBucket)}/${result.reportKey}`;
    io.stdout.write(
      json
        ? `${JSON.stringify({ jobId: result.jobId, ...result.progress, report, failed }, null, 2)}\n`
        : `job ${result.jobId}: ${result.progress.succeeded} succeeded, ${result.progress.failed} failed of ${result.progress.total}; report ${report}\n` +
            failed.map((f) => `  failed ${f.bucket}/${f.key}: ${f.resultString}\n`).join(''),
    );
    return failed.length > 0 ? 1 : 0;
  }

  const functionArn = values['function-arn'] as string | undefined;
  const roleArn = values['role-arn'] as string | undefined;
  const accountId = (values['account-id'] as string | undefined) ?? deployment.accountId;
  if (!functionArn || !roleArn || !accountId) {
    throw new UsageError(
      'reprocess on AWS needs --function-arn, --role-arn and --account-id (or accountId in the deployment file)',
    );
  }
  let manifest: JobManifestSource;
  if (values.inventory) {
    const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(values.inventory as string);
    if (!match?.[1] || !match[2]) throw new UsageError('--inventory takes s3://bucket/path/manifest.json');
    manifest = { kind: 'inventory', manifestBucket: match[1], manifestKey: match[2] };
  } else if (values.csv) {
    const tasks = await listTasks(
      clients.s3,
      bucketOf(deployment, SOURCE_BUCKET[source as TaskSource]),
      source as TaskSource,
      {
        tenantId: values.tenant as string | undefined,
        limit: positiveInt(values.limit as string, 'limit'),
      },
    );
    manifest = { kind: 'tasks', tasks };
  } else {
    manifest = {
      kind: 'listing',
      bucket: bucketOf(deployment, SOURCE_BUCKET[source as TaskSource]),
      source: source as TaskSource,
      tenantId: values.tenant as string | undefined,
    };
  }
  const jobId = await createReprocessJob(clients.s3control, clients.s3, {
    accountId,
    functionArn,
    roleArn,
    manifest,
    reportBucket: bucketOf(deployment, spec.reportBucket),
    reportPrefix: spec.reportPrefix,
    userArguments: { source },
  });
  io.stdout.write(json ? `${JSON.stringify({ jobId })}\n` : `created S3 Batch Operations job ${jobId}\n`);
  if (!values.wait) return 0;
  const job = await waitForJob(clients.s3control, accountId, jobId, {
    onProgress: (j) => {
      const p = j.ProgressSummary;
      io.stderr.write(
        `job ${jobId} ${j.Status}: ${p?.NumberOfTasksSucceeded ?? 0} succeeded, ${p?.NumberOfTasksFailed ?? 0} failed of ${p?.TotalNumberOfTasks ?? '?'}\n`,
      );
    },
  });
  io.stdout.write(
    `job ${jobId} ${job.Status}${job.FailureReasons?.length ? `: ${job.FailureReasons.map((f) => f.FailureReason).join('; ')}` : ''}\n`,
  );
  return job.Status === 'Complete' && !job.ProgressSummary?.NumberOfTasksFailed ? 0 : 1;
}

/** Runs one command; answers the exit code (0 done, 1 failed, 2 usage). Never calls process.exit. */
export async function runCli(
  argv: string[],
  io: CliIo,
  load: (file?: string) => Deployment = loadDeployment,
): Promise<number> {
  let clients: AwsClients | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    });
    const [command, ...rest] = positionals;
    if (values.help || !command) {
      io.stdout.write(USAGE);
      return command || values.help ? 0 : 2;
    }
    if (!['dlq', 'reprocess', 'restore', 'original'].includes(command))
      throw new UsageError(`Unknown command "${command}"`);
    const deployment = load(values.deployment);
    clients = awsClientsFor(deployment);
    if (command === 'dlq') return await dlqCommand(rest, values, clients, deployment, io);
    if (command === 'reprocess') return await reprocessCommand(values, clients, deployment, io);
    const assetId = rest[0];
    if (!assetId) throw new UsageError(`${command}: which asset? (an asset id)`);
    const status =
      command === 'restore'
        ? await requestRestore(clients.s3, deployment, assetId, {
            ...(values.tier ? { tier: values.tier } : {}),
            ...(values.days ? { days: Number(values.days) } : {}),
          })
        : await originalStatus(clients.s3, deployment, assetId);
    io.stdout.write(
      values.json ? `${JSON.stringify(status, null, 2)}\n` : describeOriginalStatus(assetId, status),
    );
    return 0;
  } catch (error) {
    if (
      error instanceof UsageError ||
      String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')
    ) {
      io.stderr.write(`sluice-ops: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (
      error instanceof DeploymentError ||
      error instanceof DlqError ||
      error instanceof AssetNotFoundError ||
      error instanceof RestoreRequestError
    ) {
      io.stderr.write(`sluice-ops: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    clients?.destroy();
  }
}
