import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { SQSClient } from '@aws-sdk/client-sqs';

/**
 * Where a Sluice deployment's resources are, by their topology names: what `npm start` writes to
 * .sluice/local.json, and what a deployment on AWS describes in a file of the same shape (the CDK
 * app's outputs). `awsEndpoint` is set for local emulators only.
 */
export interface Deployment {
  region: string;
  awsEndpoint?: string;
  /** The AWS account; needed to create S3 Batch Operations jobs. */
  accountId?: string;
  buckets: Record<string, string>;
  topics: Record<string, string>;
  queues: Record<string, { url: string; arn: string }>;
}

/** A deployment file that is missing or malformed. */
export class DeploymentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeploymentError';
  }
}

export const DEPLOYMENT_HINT =
  'Start the local stack (npm start) or pass --deployment <file> (buckets, queues, topics, region; accountId for jobs on AWS).';

/** .sluice/local.json in the working directory or the nearest parent that has one. */
export function findLocalDeploymentFile(from = process.cwd()): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, '.sluice', 'local.json');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

function isRecordOf(value: unknown, check: (v: unknown) => boolean): boolean {
  return typeof value === 'object' && value !== null && Object.values(value).every(check);
}

export function parseDeployment(doc: unknown, where: string): Deployment {
  const d = doc as Partial<Deployment> | null;
  const problems: string[] = [];
  if (!d || typeof d !== 'object') throw new DeploymentError(`${where}: not a JSON object`);
  if (!isRecordOf(d.buckets, (v) => typeof v === 'string'))
    problems.push('buckets must map names to bucket names');
  if (!isRecordOf(d.queues, (v) => typeof (v as { url?: unknown })?.url === 'string'))
    problems.push('queues must map names to { url, arn }');
  if (d.topics !== undefined && !isRecordOf(d.topics, (v) => typeof v === 'string'))
    problems.push('topics must map names to topic ARNs');
  if (problems.length > 0) throw new DeploymentError(`${where}: ${problems.join('; ')}`);
  return {
    region: typeof d.region === 'string' ? d.region : 'us-east-1',
    ...(typeof d.awsEndpoint === 'string' ? { awsEndpoint: d.awsEndpoint } : {}),
    ...(typeof d.accountId === 'string' ? { accountId: d.accountId } : {}),
    buckets: d.buckets as Record<string, string>,
    topics: (d.topics ?? {}) as Record<string, string>,
    queues: d.queues as Record<string, { url: string; arn: string }>,
  };
}

export function loadDeployment(file?: string): Deployment {
  const resolved = file ?? process.env.SLUICE_DEPLOYMENT ?? findLocalDeploymentFile();
  if (!resolved) throw new DeploymentError(`No deployment found. ${DEPLOYMENT_HINT}`);
  let text: string;
  try {
    text = readFileSync(resolved, 'utf8');
  } catch {
    throw new DeploymentError(`Cannot read ${resolved}. ${DEPLOYMENT_HINT}`);
  }
  try {
    return parseDeployment(JSON.parse(text), resolved);
  } catch (error) {
    if (error instanceof DeploymentError) throw error;
    throw new DeploymentError(`${resolved} is not JSON`);
  }
}

/** The named bucket's physical name, or a clear error. */
export function bucketOf(deployment: Deployment, name: string): string {
  const bucket = deployment.buckets[name];
  if (!bucket) {
    throw new DeploymentError(
      `The deployment has no ${name} bucket (it has ${Object.keys(deployment.buckets).join(', ')})`,
    );
  }
  return bucket;
}

/** SDK clients for a deployment: on a local emulator, fixed test credentials and path-style S3. */
export function awsClientsFor(deployment: Deployment) {
  const local = deployment.awsEndpoint !== undefined;
  const common = {
    region: deployment.region,
    ...(local
      ? { endpoint: deployment.awsEndpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }
      : {}),
  };
  return {
    s3: new S3Client({ ...common, forcePathStyle: local }),
    sqs: new SQSClient(common),
    s3control: new S3ControlClient({ region: deployment.region }),
    destroy() {
      this.s3.destroy();
      this.sqs.destroy();
      this.s3control.destroy();
    },
  };
}

export type AwsClients = ReturnType<typeof awsClientsFor>;
