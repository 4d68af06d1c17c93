import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import {
  DEPLOYMENT_HINT,
  type Deployment,
  DeploymentError,
  findLocalDeploymentFile,
  parseDeployment,
} from '../deployment';
import { type AuditBuckets, type AuditReport, auditPipeline, FINDING_KINDS } from './audit';
import { S3AuditStorage, SqliteSearchIndexReader, SqsDeadLetterReader, SqsQueueDepthReader } from './sources';

export const AUDIT_USAGE = `audit: reconcile the buckets, the search index and the dead-letter queues, asset by asset

  audit [--deployment <file>] [--endpoint <url>] [--region <r>]
        [--ingest-bucket <b>] [--processed-bucket <b>] [--archive-bucket <b>]
        [--search-index <sqlite file> | --no-search-index] [--grace <seconds>] [--no-verify]
        [--verbose] [--json]

  Where: --deployment (default $SLUICE_DEPLOYMENT, else .sluice/local.json from \`npm start\`; on AWS a
  file of the same shape: region, buckets, queues). Flags, then $SLUICE_INGEST_BUCKET,
  $SLUICE_PROCESSED_BUCKET, $SLUICE_ARCHIVE_BUCKET, $AWS_ENDPOINT_URL and $AWS_REGION override it;
  without a deployment file the DLQs are not read. Credentials: the AWS SDK's usual chain (test/test
  on a local endpoint).
  --grace: work younger than this is in flight, not a problem (default 900 s).
  --no-verify: skip the HeadObject per archived original that compares its SHA-256 with the manifest.
  --search-index: the local SQLite search index (default: the local stack's, when there is one).

  Exit status: 0 when there is no problem, 1 when there is, 2 for a usage error. The last line is
  \`problems: <n>\`.
`;

export interface AuditIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

const OPTIONS = {
  deployment: { type: 'string' },
  endpoint: { type: 'string' },
  region: { type: 'string' },
  'ingest-bucket': { type: 'string' },
  'processed-bucket': { type: 'string' },
  'archive-bucket': { type: 'string' },
  'search-index': { type: 'string' },
  'no-search-index': { type: 'boolean' },
  grace: { type: 'string' },
  'no-verify': { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

class AuditUsageError extends Error {}

interface Resolved {
  deployment: Deployment;
  buckets: AuditBuckets;
  searchIndex?: string;
  local: boolean;
}

/** Where to audit: the deployment file, then flags and environment variables over it. */
function resolveTarget(values: Record<string, unknown>, env: NodeJS.ProcessEnv, cwd: string): Resolved {
  const file =
    (values.deployment as string | undefined) ?? env.SLUICE_DEPLOYMENT ?? findLocalDeploymentFile(cwd);
  let raw: Record<string, unknown> = {};
  let deployment: Deployment = { region: 'us-east-1', buckets: {}, topics: {}, queues: {} };
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new DeploymentError(`Cannot read ${file}. ${DEPLOYMENT_HINT}`);
    }
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new DeploymentError(`${file} is not JSON`);
    }
    deployment = parseDeployment(raw, file);
  }
  const endpoint = (values.endpoint as string | undefined) ?? env.AWS_ENDPOINT_URL ?? deployment.awsEndpoint;
  const region = (values.region as string | undefined) ?? env.AWS_REGION ?? deployment.region;
  deployment = {
    ...deployment,
    region,
    ...(endpoint ? { awsEndpoint: endpoint } : {}),
  };
  const bucket = (name: 'ingest' | 'processed' | 'archive') =>
    (values[`${name}-bucket`] as string | undefined) ??
    env[`SLUICE_${name.toUpperCase()}_BUCKET`] ??
    deployment.buckets[name];
  const ingest = bucket('ingest');
  const processed = bucket('processed');
  const archive = bucket('archive');
  if (!ingest || !processed || !archive) {
    const missing = [!ingest && 'ingest', !processed && 'processed', !archive && 'archive'].filter(Boolean);
    throw new AuditUsageError(
      `No ${missing.join(', ')} bucket: ${file ? `${file} does not name it; ` : 'no deployment file found; '}pass --${missing[0]}-bucket (or SLUICE_${String(missing[0]).toUpperCase()}_BUCKET). ${DEPLOYMENT_HINT}`,
    );
  }
  deployment.buckets = { ...deployment.buckets, ingest, processed, archive };

  let searchIndex: string | undefined;
  if (values['no-search-index'] !== true) {
    searchIndex = values['search-index'] as string | undefined;
    // The local stack keeps its index in .sluice/data/<namePrefix>/ beside local.json.
    if (!searchIndex && file && typeof raw.namePrefix === 'string' && deployment.awsEndpoint) {
      const candidate = path.join(path.dirname(file), 'data', raw.namePrefix, 'search-index.db');
      if (existsSync(candidate)) searchIndex = candidate;
    }
  }
  return {
    deployment,
    buckets: { ingest, processed, archive },
    ...(searchIndex ? { searchIndex } : {}),
    local: deployment.awsEndpoint !== undefined,
  };
}

/** The report as text; the last line is `problems: <n>`. */
export function formatAuditReport(report: AuditReport, { verbose = false } = {}): string {
  const c = report.counts;
  const lines = [
    `audit of ingest ${report.buckets.ingest}, processed ${report.buckets.processed}, archive ${report.buckets.archive} at ${report.auditedAt} (grace ${report.graceSeconds} s)`,
    `objects: ${c.uploads} in uploads/, ${c.quarantined} in quarantine/, ${c.manifests} manifests, ${c.renditions} renditions, ${c.indexDocuments} index documents, ${c.rejections} rejection records, ${c.archived} archived originals`,
    report.searchIndex
      ? `search index: ${c.searchEntries ?? 0} entries (${report.searchIndex})`
      : 'search index: not checked',
    report.queues.length > 0
      ? `queues: ${report.queues.map((q) => `${q.queue} ${q.visible} waiting, ${q.inFlight} in flight`).join('; ')}`
      : 'queues: not checked (no deployment file with queues)',
    `assets: ${report.assets.length} (${Object.entries(report.states)
      .map(([state, n]) => `${n} ${state}`)
      .join(', ')})`,
  ];
  const problems = report.findings.filter((f) => f.severity === 'problem');
  const inFlight = report.findings.filter((f) => f.severity === 'in-flight');
  for (const f of problems) {
    lines.push(
      `PROBLEM ${f.kind}${f.assetId ? ` asset ${f.assetId}` : ''}${f.tenantId ? ` (tenant ${f.tenantId})` : ''}: ${f.message}`,
    );
    if (f.hint) lines.push(`  fix: ${f.hint}`);
  }
  if (inFlight.length > 0) {
    if (verbose) {
      for (const f of inFlight)
        lines.push(`in flight ${f.kind}${f.assetId ? ` asset ${f.assetId}` : ''}: ${f.message}`);
    } else {
      lines.push(
        `${inFlight.length} finding(s) younger than the grace period, not counted (--verbose lists them)`,
      );
    }
  }
  lines.push(`problems: ${report.problems}`);
  return `${lines.join('\n')}\n`;
}

/**
 * `audit`: runs the audit against a deployment (local or AWS) and prints the report. Answers the
 * exit code: 0 no problem, 1 problems (or the audit could not run), 2 usage. Never calls process.exit.
 */
export async function runAudit(argv: string[], io: AuditIo): Promise<number> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: false, strict: true }));
  } catch (error) {
    io.stderr.write(`audit: ${(error as Error).message}\n\n${AUDIT_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(AUDIT_USAGE);
    io.stdout.write(
      `\nFindings:\n${Object.entries(FINDING_KINDS)
        .map(([k, v]) => `  ${k.padEnd(27)} ${v}`)
        .join('\n')}\n`,
    );
    return 0;
  }
  const grace = values.grace === undefined ? 900 : Number(values.grace);
  if (!Number.isFinite(grace) || grace < 0) {
    io.stderr.write(`audit: --grace takes a number of seconds, got "${values.grace}"\n`);
    return 2;
  }
  let target: Resolved;
  try {
    target = resolveTarget(values, io.env ?? process.env, io.cwd ?? process.cwd());
  } catch (error) {
    if (error instanceof AuditUsageError || error instanceof DeploymentError) {
      io.stderr.write(`audit: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const { deployment } = target;
  const common = {
    region: deployment.region,
    ...(target.local
      ? { endpoint: deployment.awsEndpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }
      : {}),
  };
  const s3 = new S3Client({ ...common, forcePathStyle: target.local });
  const sqs = new SQSClient(common);
  try {
    const hasQueues = Object.keys(deployment.queues).length > 0;
    const report = await auditPipeline({
      storage: new S3AuditStorage(s3),
      buckets: target.buckets,
      ...(hasQueues
        ? {
            deadLetters: new SqsDeadLetterReader(sqs, deployment),
            queues: new SqsQueueDepthReader(sqs, deployment),
          }
        : {}),
      ...(target.searchIndex ? { search: new SqliteSearchIndexReader(target.searchIndex) } : {}),
      graceSeconds: grace,
      verifyArchive: values['no-verify'] !== true,
    });
    if (values.json) {
      io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      io.stderr.write(`problems: ${report.problems}\n`);
    } else {
      io.stdout.write(formatAuditReport(report, { verbose: values.verbose === true }));
    }
    return report.problems > 0 ? 1 : 0;
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number } };
    io.stderr.write(`audit: could not finish: ${e.name}: ${e.message}\n`);
    io.stdout.write('problems: unknown (the audit did not finish)\n');
    return 1;
  } finally {
    s3.destroy();
    sqs.destroy();
  }
}
