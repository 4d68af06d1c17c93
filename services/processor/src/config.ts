import {
  type AwsConfig,
  ConfigError,
  type Env,
  positiveInteger,
  readAwsConfig,
  requiredString,
} from '@sluice/runtime';
import { DEFAULT_PRESETS, PresetsError, parsePresets, type RenditionPreset } from './domain/presets';

export interface ProcessorConfig {
  aws: AwsConfig;
  ingestBucket: string;
  processedBucket: string;
  pipelineEventsTopicArn: string;
  /** PROCESSOR_PRESETS: a rendition-presets/v1 document as JSON; the defaults when unset. */
  presets: readonly RenditionPreset[];
  /** PROCESSOR_MAX_PIXELS: largest width x height decoded (per frame). */
  maxPixels: number;
  /** PROCESSOR_MAX_IMAGE_BYTES: largest image file decoded. */
  maxImageBytes: number;
  /** PROCESSOR_TIMEOUT_SECONDS: longest one libvips pipeline (decode or encode) may run. */
  timeoutSeconds: number;
  /** PROCESSOR_ENCODE_CONCURRENCY: encodes of one image in flight at once. */
  encodeConcurrency: number;
}

function readPresets(env: Env): readonly RenditionPreset[] {
  const raw = env.PROCESSOR_PRESETS?.trim();
  if (!raw) return DEFAULT_PRESETS;
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch (error) {
    throw new ConfigError(`PROCESSOR_PRESETS is not JSON: ${(error as Error).message}`);
  }
  try {
    return parsePresets(doc);
  } catch (error) {
    if (error instanceof PresetsError) throw new ConfigError(`PROCESSOR_PRESETS: ${error.message}`);
    throw error;
  }
}

export function readConfig(env: Env = process.env): ProcessorConfig {
  return {
    aws: readAwsConfig(env),
    ingestBucket: requiredString(env, 'INGEST_BUCKET'),
    processedBucket: requiredString(env, 'PROCESSED_BUCKET'),
    pipelineEventsTopicArn: requiredString(env, 'PIPELINE_EVENTS_TOPIC_ARN'),
    presets: readPresets(env),
    maxPixels: positiveInteger(env, 'PROCESSOR_MAX_PIXELS', 100_000_000),
    maxImageBytes: positiveInteger(env, 'PROCESSOR_MAX_IMAGE_BYTES', 100 * 1024 * 1024),
    timeoutSeconds: positiveInteger(env, 'PROCESSOR_TIMEOUT_SECONDS', 20),
    encodeConcurrency: positiveInteger(env, 'PROCESSOR_ENCODE_CONCURRENCY', 2),
  };
}
