// @sluice/processor's public API: the use case and the transform core, for other entry points
// (S3 Batch Operations) and other services (delivery). Importing it reads no configuration.

export { S3OriginalStore, S3OutputStore } from './adapters/s3-storage';
export {
  ALLOWED_LIBVIPS_LOADERS,
  pixelFacts,
  SharpImageRenderer,
  type SharpImageRendererOptions,
} from './adapters/sharp-image-renderer';
export {
  CONTENT_TYPES,
  DEFAULT_DECODE_LIMITS,
  DEFAULT_QUALITY,
  type DecodedImage,
  type DecodeLimits,
  decodeOriented,
  decodeWidthFor,
  encodeDecoded,
  type Fit,
  type OutputFormat,
  type TransformedImage,
  type TransformSpec,
  transformImage,
} from './adapters/sharp-transform';
export { assertTimeLeft, DeadlineError } from './app/deadline';
export {
  PROCESSOR_VERSION,
  type ProcessUploadDeps,
  type ProcessUploadOptions,
  processUpload,
} from './app/process-upload';
export { type ProcessorConfig, readConfig } from './config';
export { DEFAULT_PRESETS, DEFAULT_PRESETS_DOCUMENT, PresetsError, parsePresets } from './domain/presets';
export { AssetRejectedError, type RejectionReason } from './domain/rejection';
export { createProcessUploadDeps } from './wiring';
