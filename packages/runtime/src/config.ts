/**
 * Typed readers over an environment map. Each service's own `config.ts` is the only module that
 * passes `process.env` in; everything else receives a plain config object.
 */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

export function requiredString(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(`Missing required environment variable ${name}`);
  return value;
}

export function optionalString(env: Env, name: string, fallback: string): string {
  const value = env[name]?.trim();
  return value ? value : fallback;
}

export function positiveInteger(env: Env, name: string, fallback?: number): number {
  const raw = env[name]?.trim();
  if (!raw) {
    if (fallback === undefined) throw new ConfigError(`Missing required environment variable ${name}`);
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigError(`${name} must be a positive integer, got "${raw}"`);
  }
  return value;
}

export function booleanFlag(env: Env, name: string, fallback = false): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (['1', 'true', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'no'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

/** Where and how to reach AWS: the same build talks to moto, LocalStack or AWS. */
export interface AwsConfig {
  region: string;
  /** Unset on AWS; the SDK also honours AWS_ENDPOINT_URL by itself, this makes it explicit. */
  endpoint?: string;
  /** Path-style S3 addressing, needed by local emulators. */
  forcePathStyle: boolean;
}

export function readAwsConfig(env: Env): AwsConfig {
  const endpoint = env.AWS_ENDPOINT_URL?.trim() || undefined;
  return {
    region: optionalString(env, 'AWS_REGION', 'us-east-1'),
    endpoint,
    forcePathStyle: booleanFlag(env, 'SLUICE_S3_FORCE_PATH_STYLE', endpoint !== undefined),
  };
}
