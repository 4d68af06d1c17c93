import type { App } from 'aws-cdk-lib';

/** Object Lock on the archive bucket: a default retention applied to every new object version. */
export interface ObjectLockSetting {
  mode: 'GOVERNANCE' | 'COMPLIANCE';
  days: number;
}

/**
 * Everything the app reads from CDK context (`-c key=value` or cdk.json), parsed once. Context keys are
 * documented in infra/README.md; every value has a safe default so that `npm run synth` works offline.
 */
export interface SluiceConfig {
  /** Deployment stage; part of every stack name, resource name and SSM parameter path. */
  stage: string;
  /** The home region of every stack but the edge stack (WAF for CloudFront must live in us-east-1). */
  region: string;
  account?: string;
  /** Days every Lambda and access log group keeps its events. */
  logRetentionDays: number;
  /** JWT authorizer settings; when unset the ingest stack asks for them as CloudFormation parameters. */
  jwtIssuer?: string;
  jwtAudience?: string[];
  /** HTTP API stage throttling (steady requests per second and burst). */
  apiThrottleRateLimit: number;
  apiThrottleBurstLimit: number;
  /** WAF rate-based rule: requests one IP may send in 5 minutes before it is blocked. */
  wafRateLimitPer5Minutes: number;
  /** Deploy the CloudFront + WAF edge stack. */
  edge: boolean;
  /** Custom domain for the edge (needs an ACM certificate in us-east-1); raises the viewer TLS floor. */
  edgeDomainName?: string;
  edgeCertificateArn?: string;
  /**
   * The edge distribution's id, once it exists. CloudFront's reads of stored variants (processed bucket
   * policy) and its invocations of edge function URLs (Lambda permissions) are allowed from this one
   * distribution; until it is set, from the account's distributions (they deploy in separate stacks and
   * regions, so neither side can reference the other).
   */
  edgeDistributionId?: string;
  /** Origins allowed to POST uploads to the ingest bucket and to call the HTTP API from a browser. */
  corsOrigins: string[];
  /** Subscribe this address to the alarm topic. */
  alarmEmail?: string;
  /** Archive bucket Object Lock (set before the first deploy: enabling it later replaces the bucket). */
  archiveObjectLock?: ObjectLockSetting;
  /** Ingest bucket: days before a file still under uploads/ (never archived) is deleted. */
  staleUploadDays: number;
  /** Ingest bucket: days a rejected file stays under quarantine/. */
  quarantineDays: number;
  /** Days before incomplete multipart uploads are aborted (every bucket). */
  abortIncompleteMultipartDays: number;
  /** Archive bucket: days a replaced or deleted version is kept. */
  archiveNoncurrentVersionDays: number;
  /** Processed bucket Intelligent-Tiering opt-in archive tiers for renditions/ (days without access). */
  processedArchiveAccessDays?: number;
  processedDeepArchiveAccessDays?: number;
  /** Days access logs (S3 server access logs, CloudFront logs) are kept. */
  accessLogDays: number;
  /** The S3 Vectors index the indexer creates and search reads (a new model or dimension needs a new one). */
  vectorIndexName: string;
  /** The Bedrock embedding model (Titan Multimodal Embeddings G1 by default) and its output dimension. */
  bedrockEmbeddingModelId: string;
  bedrockEmbeddingDimension: number;
}

type Context = (key: string) => unknown;

function str(ctx: Context, key: string): string | undefined {
  const value = ctx(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' && typeof value !== 'number')
    throw new Error(`Context ${key} must be a string`);
  return String(value);
}

function int(ctx: Context, key: string, fallback: number, min?: number): number;
function int(ctx: Context, key: string, fallback: undefined, min?: number): number | undefined;
function int(ctx: Context, key: string, fallback: number | undefined, min = 1): number | undefined {
  const raw = str(ctx, key);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min)
    throw new Error(`Context ${key} must be an integer >= ${min}, got "${raw}"`);
  return value;
}

function bool(ctx: Context, key: string, fallback: boolean): boolean {
  const value = ctx(key);
  if (value === undefined || value === null || value === '') return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`Context ${key} must be true or false, got "${String(value)}"`);
}

/** The retention periods CloudWatch Logs accepts. */
const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

function retentionDays(days: number): number {
  if (!RETENTION_DAYS.includes(days))
    throw new Error(`Context logRetentionDays must be one of ${RETENTION_DAYS.join(', ')}`);
  return days;
}

/** Reads the configuration from a context getter (an App's `node.tryGetContext`, or a plain object in tests). */
export function readConfig(ctx: Context, env: NodeJS.ProcessEnv = process.env): SluiceConfig {
  const stage = str(ctx, 'stage') ?? 'dev';
  if (!/^[a-z][a-z0-9-]{0,11}$/.test(stage))
    throw new Error(`Context stage must match ^[a-z][a-z0-9-]{0,11}$, got "${stage}"`);
  const lockMode = str(ctx, 'archiveObjectLockMode');
  if (lockMode !== undefined && lockMode !== 'GOVERNANCE' && lockMode !== 'COMPLIANCE') {
    throw new Error(`Context archiveObjectLockMode must be GOVERNANCE or COMPLIANCE, got "${lockMode}"`);
  }
  const processedArchiveAccessDays = int(ctx, 'processedArchiveAccessDays', undefined, 90);
  const processedDeepArchiveAccessDays = int(ctx, 'processedDeepArchiveAccessDays', undefined, 180);
  const edgeDomainName = str(ctx, 'edgeDomainName');
  const edgeCertificateArn = str(ctx, 'edgeCertificateArn');
  if ((edgeDomainName === undefined) !== (edgeCertificateArn === undefined)) {
    throw new Error('Context edgeDomainName and edgeCertificateArn go together');
  }
  const audience = str(ctx, 'jwtAudience');
  const edgeDistributionId = str(ctx, 'edgeDistributionId');
  if (edgeDistributionId !== undefined && !/^[A-Z0-9]{8,20}$/.test(edgeDistributionId))
    throw new Error(
      `Context edgeDistributionId must be a CloudFront distribution id, got "${edgeDistributionId}"`,
    );
  const vectorIndexName = str(ctx, 'vectorIndexName') ?? 'assets';
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(vectorIndexName))
    throw new Error(
      `Context vectorIndexName must be 3-63 of a-z, 0-9, '.' and '-', got "${vectorIndexName}"`,
    );
  const bedrockEmbeddingDimension = int(ctx, 'bedrockEmbeddingDimension', 1024);
  if (![256, 384, 1024].includes(bedrockEmbeddingDimension))
    throw new Error(
      `Context bedrockEmbeddingDimension must be 256, 384 or 1024, got ${bedrockEmbeddingDimension}`,
    );
  return {
    stage,
    region: str(ctx, 'region') ?? env.CDK_DEFAULT_REGION ?? 'us-east-1',
    account: str(ctx, 'account') ?? env.CDK_DEFAULT_ACCOUNT,
    logRetentionDays: retentionDays(int(ctx, 'logRetentionDays', 30)),
    jwtIssuer: str(ctx, 'jwtIssuer'),
    jwtAudience: audience
      ?.split(',')
      .map((a) => a.trim())
      .filter(Boolean),
    apiThrottleRateLimit: int(ctx, 'apiThrottleRateLimit', 50),
    apiThrottleBurstLimit: int(ctx, 'apiThrottleBurstLimit', 100),
    wafRateLimitPer5Minutes: int(ctx, 'wafRateLimitPer5Minutes', 1000, 10),
    edge: bool(ctx, 'edge', true),
    edgeDomainName,
    edgeCertificateArn,
    edgeDistributionId,
    corsOrigins: (str(ctx, 'corsOrigins') ?? '*')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    alarmEmail: str(ctx, 'alarmEmail'),
    archiveObjectLock:
      lockMode === undefined ? undefined : { mode: lockMode, days: int(ctx, 'archiveObjectLockDays', 365) },
    staleUploadDays: int(ctx, 'staleUploadDays', 30),
    quarantineDays: int(ctx, 'quarantineDays', 90),
    abortIncompleteMultipartDays: int(ctx, 'abortIncompleteMultipartDays', 1),
    archiveNoncurrentVersionDays: int(ctx, 'archiveNoncurrentVersionDays', 90),
    processedArchiveAccessDays,
    processedDeepArchiveAccessDays,
    accessLogDays: int(ctx, 'accessLogDays', 90),
    vectorIndexName,
    bedrockEmbeddingModelId: str(ctx, 'bedrockEmbeddingModelId') ?? 'amazon.titan-embed-image-v1',
    bedrockEmbeddingDimension,
  };
}

export function configOf(app: App): SluiceConfig {
  return readConfig((key) => app.node.tryGetContext(key));
}
