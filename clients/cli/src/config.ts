import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliError, ExitCode, UsageError } from './errors';

/*
 * Where the CLI finds the API, the token and (for `watch` and `dlq`) the AWS side, in order:
 * flags, environment (SLUICE_API_URL, SLUICE_TOKEN, AWS_ENDPOINT_URL...), the config file written
 * by `sluice login`, then a running local stack's `.sluice/local.json` (nearest one above the
 * working directory), so that after `npm start` everything just works.
 */

export type Source = 'flag' | 'env' | 'config file' | 'local stack' | 'default';

export interface Setting<T> {
  value: T;
  source: Source;
}

export interface ConfigFile {
  apiUrl?: string;
  token?: string;
}

/** What `npm start` writes to `.sluice/local.json` (the parts the CLI reads). */
export interface LocalState {
  pid?: number;
  apiUrl?: string | null;
  devToken?: string;
  awsEndpoint?: string;
  region?: string;
  topics?: Record<string, string>;
  queues?: Record<string, { url: string; arn: string }>;
  functionUrls?: Record<string, string>;
}

export interface ResolvedConfig {
  apiUrl?: Setting<string>;
  token?: Setting<string>;
  awsEndpoint?: Setting<string>;
  region: Setting<string>;
  pipelineEventsTopicArn?: Setting<string>;
  queues: Record<string, { url: string; arn: string }>;
  /** The internal endpoints (reprocess, DLQ redrive): a Lambda function URL with IAM auth. */
  internalUrl?: Setting<string>;
  configFile: string;
  localStateFile?: string;
}

export interface GlobalOptions {
  api?: string;
  token?: string;
}

export function configFilePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SLUICE_CONFIG) return path.resolve(env.SLUICE_CONFIG);
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'sluice', 'config.json');
}

/** Where resumable upload journals live: $SLUICE_STATE_DIR, else XDG state home. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SLUICE_STATE_DIR) return path.resolve(env.SLUICE_STATE_DIR);
  const base = env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(base, 'sluice');
}

export function readConfigFile(file: string): ConfigFile {
  if (!existsSync(file)) return {};
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new Error('not an object');
    return parsed as ConfigFile;
  } catch (error) {
    throw new CliError(
      `The config file ${file} is not valid JSON (${(error as Error).message})`,
      ExitCode.usage,
      'Fix it, delete it, or run `sluice login` again.',
    );
  }
}

/** Writes the config file readable by its owner only (it holds a token). */
export function writeConfigFile(file: string, config: ConfigFile): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, file);
}

function processAlive(pid: number | undefined): boolean {
  if (!pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The nearest `.sluice/local.json` of a stack that is still running, from `start` upwards. */
export function findLocalState(
  start: string,
  env: NodeJS.ProcessEnv = process.env,
): { file: string; state: LocalState } | undefined {
  const candidates: string[] = [];
  if (env.SLUICE_LOCAL_STATE) candidates.push(path.resolve(env.SLUICE_LOCAL_STATE));
  else {
    let dir = path.resolve(start);
    for (;;) {
      candidates.push(path.join(dir, '.sluice', 'local.json'));
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    try {
      const state = JSON.parse(readFileSync(file, 'utf8')) as LocalState;
      if (processAlive(state.pid)) return { file, state };
    } catch {
      // A half-written or foreign file: keep looking.
    }
  }
  return undefined;
}

export function normalizeUrl(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${what} must be an http(s) URL, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${what} must be an http(s) URL, got "${value}"`);
  }
  return url.toString().replace(/\/+$/, '');
}

function pick<T>(...candidates: [T | undefined | null | '', Source][]): Setting<T> | undefined {
  for (const [value, source] of candidates) {
    if (value !== undefined && value !== null && value !== '') return { value, source };
  }
  return undefined;
}

export function resolveConfig(
  options: GlobalOptions,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): ResolvedConfig {
  const file = configFilePath(env);
  const saved = readConfigFile(file);
  const local = findLocalState(cwd, env);
  const apiUrl = pick<string>(
    [options.api, 'flag'],
    [env.SLUICE_API_URL, 'env'],
    [saved.apiUrl, 'config file'],
    [local?.state.apiUrl, 'local stack'],
  );
  const token = pick<string>(
    [options.token, 'flag'],
    [env.SLUICE_TOKEN, 'env'],
    [saved.token, 'config file'],
    [local?.state.devToken, 'local stack'],
  );
  const awsEndpoint = pick<string>([env.AWS_ENDPOINT_URL, 'env'], [local?.state.awsEndpoint, 'local stack']);
  const region = pick<string>(
    [env.AWS_REGION, 'env'],
    [env.AWS_DEFAULT_REGION, 'env'],
    [local?.state.region, 'local stack'],
  ) ?? { value: 'us-east-1', source: 'default' };
  const topic = pick<string>(
    [env.SLUICE_PIPELINE_EVENTS_TOPIC_ARN, 'env'],
    [local?.state.topics?.['pipeline-events'], 'local stack'],
  );
  const internalUrl = pick<string>(
    [env.SLUICE_INTERNAL_URL, 'env'],
    [local?.state.functionUrls?.['ingest-internal'], 'local stack'],
  );
  return {
    internalUrl,
    apiUrl: apiUrl
      ? { ...apiUrl, value: normalizeUrl(apiUrl.value, `The API URL (from ${apiUrl.source})`) }
      : undefined,
    token,
    awsEndpoint,
    region,
    pipelineEventsTopicArn: topic,
    queues: local?.state.queues ?? {},
    configFile: file,
    localStateFile: local?.file,
  };
}
