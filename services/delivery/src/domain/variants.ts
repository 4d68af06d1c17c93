/**
 * What a request resolves to: the transform spec (the processor's transform core runs it) and the
 * deterministic key its output is stored under in the processed bucket.
 *
 *   renditions/{assetId}/{preset}.{format}    presets: the processor's own key layout, so a rendition
 *                                             the processor made is served as is, and one made here
 *                                             is the one it would have made
 *   variants/{assetId}/{hash}.{format}        ad-hoc: hash of the canonical spec and TRANSFORM_VERSION
 */
import { createHash } from 'node:crypto';
import type { RenditionPreset } from '@sluice/processor/presets';
import type { TransformSpec } from '@sluice/processor/transform';
import type { OutputFormat } from './formats';
import type { TransformParams } from './request';

/** Bump when the same spec would render differently: old ad-hoc variants are then not reused. */
export const TRANSFORM_VERSION = 1;

export function renditionKey(assetId: string, preset: string, format: OutputFormat): string {
  return `renditions/${assetId}/${preset}.${format}`;
}

/** The formats a preset makes, in its own order. */
export function presetFormats(preset: RenditionPreset): OutputFormat[] {
  return preset.formats.map((spec) => spec.format);
}

/** The spec of one preset in one of its formats, as the processor renders it; null if it has no such format. */
export function presetSpec(preset: RenditionPreset, format: OutputFormat): TransformSpec | null {
  const encoder = preset.formats.find((spec) => spec.format === format);
  if (!encoder) return null;
  return {
    width: preset.width,
    ...(preset.height !== undefined ? { height: preset.height } : {}),
    fit: preset.fit ?? 'inside',
    format,
    ...(encoder.quality !== undefined ? { quality: encoder.quality } : {}),
    ...(encoder.effort !== undefined ? { effort: encoder.effort } : {}),
    animated: preset.animated !== false,
  };
}

/** The spec of an ad-hoc transform once its format is resolved. */
export function transformSpec(params: TransformParams, format: OutputFormat): TransformSpec {
  return {
    ...(params.width !== undefined ? { width: params.width } : {}),
    ...(params.height !== undefined ? { height: params.height } : {}),
    fit: params.fit,
    format,
    ...(params.quality !== undefined ? { quality: params.quality } : {}),
    // Animated inputs stay animated in WebP, as with the default presets.
    animated: true,
  };
}

/** variants/{assetId}/{hash}.{format}: the same spec always lands on the same key. */
export function variantKey(assetId: string, spec: TransformSpec): string {
  const canonical = JSON.stringify([
    TRANSFORM_VERSION,
    spec.width ?? null,
    spec.height ?? null,
    spec.fit ?? 'inside',
    spec.format,
    spec.quality ?? null,
    spec.effort ?? null,
    spec.animated === true,
  ]);
  const hash = createHash('sha256').update(canonical).digest('hex').slice(0, 32);
  return `variants/${assetId}/${hash}.${spec.format}`;
}
