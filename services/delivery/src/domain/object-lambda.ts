/**
 * What an S3 Object Lambda access point asks for, from its configuration payload (the access
 * point's FunctionPayload, JSON):
 *
 *   { "preset": "medium", "format": "auto" }                a preset, in one of its formats or auto
 *   { "width": 640, "height": 480, "fit": "cover", "format": "webp", "quality": 70 }   ad hoc
 *   {} or no payload                                       the object re-encoded, full size, format auto
 *
 * Each access point is one transform: its payload is set by whoever configures it, not by callers.
 */
import type { RenditionPreset } from '@sluice/processor/presets';
import type { TransformSpec } from '@sluice/processor/transform';
import { badRequest } from './errors';
import { isOutputFormat, negotiateFormat, type OutputFormat } from './formats';
import { FITS, type Fit } from './request';
import { presetFormats, presetSpec } from './variants';

const KNOWN = new Set(['preset', 'format', 'width', 'height', 'fit', 'quality']);

export interface ObjectLambdaTransform {
  spec: TransformSpec;
  /** The format came from Accept. */
  negotiated: boolean;
}

function dimension(value: unknown, name: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > max) {
    throw badRequest('invalid-payload', `${name} must be an integer from 1 to ${max}`);
  }
  return value as number;
}

/** The transform an access point's payload and the caller's Accept header resolve to. */
export function objectLambdaTransform(
  payload: string | undefined,
  accept: string | undefined,
  presets: ReadonlyMap<string, RenditionPreset>,
  maxDimension: number,
): ObjectLambdaTransform {
  let doc: Record<string, unknown> = {};
  if (payload?.trim()) {
    try {
      doc = JSON.parse(payload) as Record<string, unknown>;
    } catch {
      throw badRequest('invalid-payload', 'The access point payload is not JSON');
    }
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
      throw badRequest('invalid-payload', 'The access point payload must be a JSON object');
    }
  }
  const unknown = Object.keys(doc).filter((key) => !KNOWN.has(key));
  if (unknown.length > 0) throw badRequest('invalid-payload', `Unknown payload field ${unknown.join(', ')}`);
  const requested = doc.format ?? 'auto';
  if (typeof requested !== 'string' || (requested !== 'auto' && !isOutputFormat(requested))) {
    throw badRequest('invalid-payload', 'format must be one of webp, jpeg, avif, png, auto');
  }
  const negotiated = requested === 'auto';

  if (doc.preset !== undefined) {
    const preset = typeof doc.preset === 'string' ? presets.get(doc.preset) : undefined;
    if (!preset) throw badRequest('invalid-payload', `Unknown preset ${JSON.stringify(doc.preset)}`);
    const others = Object.keys(doc).filter((key) => key !== 'preset' && key !== 'format');
    if (others.length > 0) throw badRequest('invalid-payload', `A preset takes no ${others.join(', ')}`);
    const format: OutputFormat = negotiated
      ? negotiateFormat(accept, presetFormats(preset))
      : (requested as OutputFormat);
    const spec = presetSpec(preset, format);
    if (!spec) throw badRequest('invalid-payload', `Preset "${preset.name}" is not made in ${format}`);
    return { spec, negotiated };
  }

  const fit = doc.fit ?? 'inside';
  if (typeof fit !== 'string' || !(FITS as readonly string[]).includes(fit)) {
    throw badRequest('invalid-payload', `fit must be one of ${FITS.join(', ')}`);
  }
  const quality = doc.quality;
  if (
    quality !== undefined &&
    (!Number.isInteger(quality) || (quality as number) < 1 || (quality as number) > 100)
  ) {
    throw badRequest('invalid-payload', 'quality must be an integer from 1 to 100');
  }
  const width = dimension(doc.width, 'width', maxDimension);
  const height = dimension(doc.height, 'height', maxDimension);
  return {
    spec: {
      ...(width !== undefined ? { width } : {}),
      ...(height !== undefined ? { height } : {}),
      fit: fit as Fit,
      format: negotiated ? negotiateFormat(accept) : (requested as OutputFormat),
      ...(quality !== undefined ? { quality: quality as number } : {}),
      animated: true,
    },
    negotiated,
  };
}

/** A header of the user's request, whatever the case of its name. */
export function userHeader(headers: Record<string, string>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}
