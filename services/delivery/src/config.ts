import { DEFAULT_PRESETS, PresetsError, parsePresets, type RenditionPreset } from '@sluice/processor/presets';
import {
  type AwsConfig,
  ConfigError,
  type Env,
  positiveInteger,
  readAwsConfig,
  requiredString,
} from '@sluice/runtime';
import { KeyringError, parseKeyring, type SigningKeyring } from './domain/signature';

export interface DeliveryConfig {
  aws: AwsConfig;
  ingestBucket: string;
  processedBucket: string;
  archiveBucket: string;
  /**
   * DELIVERY_PRESETS: a rendition-presets/v1 document (give it the processor's PROCESSOR_PRESETS);
   * the processor's defaults when unset.
   */
  presets: readonly RenditionPreset[];
  /** DELIVERY_SIGNING_KEYS: a delivery-signing-keys/v1 document inline (local, tests). */
  signingKeys: SigningKeyring | null;
  /** DELIVERY_SIGNING_KEYS_SECRET_ID: a Secrets Manager secret holding that document (AWS). */
  signingKeysSecretId?: string;
  /** DELIVERY_SIGNING_KEYS_TTL_SECONDS: how long keys read from the secret are used before a re-read. */
  signingKeysTtlSeconds: number;
  /** DELIVERY_MAX_DIMENSION: largest width or height an ad-hoc transform may ask for. */
  maxDimension: number;
  /** DELIVERY_MAX_IMAGE_BYTES: largest original transformed on the fly. */
  maxImageBytes: number;
  /** DELIVERY_MAX_PIXELS: largest width x height decoded (per frame). */
  maxPixels: number;
  /** DELIVERY_TIMEOUT_SECONDS: longest one libvips pipeline may run. */
  timeoutSeconds: number;
  /** DELIVERY_MAX_AGE_SECONDS: browser and CDN lifetime of presets (signed URLs: until they expire). */
  maxAgeSeconds: number;
}

function json(env: Env, name: string): unknown {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  try {
    return JSON.parse(raw);
  } catch (error) {
    throw new ConfigError(`${name} is not JSON: ${(error as Error).message}`);
  }
}

function readPresets(env: Env): readonly RenditionPreset[] {
  const doc = json(env, 'DELIVERY_PRESETS');
  if (doc === undefined) return DEFAULT_PRESETS;
  try {
    return parsePresets(doc);
  } catch (error) {
    if (error instanceof PresetsError) throw new ConfigError(`DELIVERY_PRESETS: ${error.message}`);
    throw error;
  }
}

function readSigningKeys(env: Env): SigningKeyring | null {
  const doc = json(env, 'DELIVERY_SIGNING_KEYS');
  if (doc === undefined) return null;
  try {
    return parseKeyring(doc);
  } catch (error) {
    if (error instanceof KeyringError) throw new ConfigError(`DELIVERY_SIGNING_KEYS: ${error.message}`);
    throw error;
  }
}

/** The opt-in S3 Object Lambda function: no buckets (S3 hands it the object), the same transforms. */
export type ObjectLambdaConfig = Pick<
  DeliveryConfig,
  'aws' | 'presets' | 'maxDimension' | 'maxImageBytes' | 'maxPixels' | 'timeoutSeconds' | 'maxAgeSeconds'
>;

function transformSettings(env: Env): ObjectLambdaConfig {
  return {
    aws: readAwsConfig(env),
    presets: readPresets(env),
    maxDimension: positiveInteger(env, 'DELIVERY_MAX_DIMENSION', 4096),
    maxImageBytes: positiveInteger(env, 'DELIVERY_MAX_IMAGE_BYTES', 100 * 1024 * 1024),
    maxPixels: positiveInteger(env, 'DELIVERY_MAX_PIXELS', 100_000_000),
    timeoutSeconds: positiveInteger(env, 'DELIVERY_TIMEOUT_SECONDS', 20),
    maxAgeSeconds: positiveInteger(env, 'DELIVERY_MAX_AGE_SECONDS', 31_536_000),
  };
}

export function readObjectLambdaConfig(env: Env = process.env): ObjectLambdaConfig {
  return transformSettings(env);
}

export function readConfig(env: Env = process.env): DeliveryConfig {
  const signingKeys = readSigningKeys(env);
  const signingKeysSecretId = env.DELIVERY_SIGNING_KEYS_SECRET_ID?.trim() || undefined;
  if (signingKeys && signingKeysSecretId) {
    throw new ConfigError('Set DELIVERY_SIGNING_KEYS or DELIVERY_SIGNING_KEYS_SECRET_ID, not both');
  }
  return {
    ...transformSettings(env),
    ingestBucket: requiredString(env, 'INGEST_BUCKET'),
    processedBucket: requiredString(env, 'PROCESSED_BUCKET'),
    archiveBucket: requiredString(env, 'ARCHIVE_BUCKET'),
    signingKeys,
    signingKeysSecretId,
    signingKeysTtlSeconds: positiveInteger(env, 'DELIVERY_SIGNING_KEYS_TTL_SECONDS', 300),
  };
}
