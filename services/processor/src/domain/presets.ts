import {
  type RenditionFormatSpec,
  type RenditionPreset,
  type RenditionPresets,
  validate,
} from '@sluice/contracts';

export type { RenditionFormatSpec, RenditionPreset, RenditionPresets };
export type RenditionFormat = RenditionFormatSpec['format'];

/** A preset list that failed its contract (rendition-presets/v1) or names a preset twice. */
export class PresetsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PresetsError';
  }
}

/**
 * The default renditions: thumb 200, medium 800 and large 1600 px wide, never upscaled, in WebP and
 * JPEG; the thumb also in AVIF (small enough for AVIF's slow encoder to stay cheap). Settings were
 * chosen by measurement (bench/encoder-settings.ts): see the README's processor section.
 */
export const DEFAULT_PRESETS_DOCUMENT: RenditionPresets = {
  presets: [
    {
      name: 'thumb',
      width: 200,
      formats: [
        { format: 'webp', quality: 75 },
        { format: 'jpeg', quality: 75 },
        // Effort 2, measured: 8x faster than the default 4 at 200 px for 2% more bytes.
        { format: 'avif', quality: 50, effort: 2 },
      ],
    },
    { name: 'medium', width: 800, formats: [{ format: 'webp' }, { format: 'jpeg' }] },
    { name: 'large', width: 1600, formats: [{ format: 'webp' }, { format: 'jpeg' }] },
  ],
};

/** Validates a presets document against rendition-presets/v1 and checks the names are unique. */
export function parsePresets(doc: unknown): readonly RenditionPreset[] {
  const result = validate('rendition-presets/v1', doc);
  if (!result.ok) throw new PresetsError(`Invalid rendition presets: ${result.errors.join('; ')}`);
  const seen = new Set<string>();
  for (const preset of result.value.presets) {
    if (seen.has(preset.name))
      throw new PresetsError(`Invalid rendition presets: "${preset.name}" is named twice`);
    seen.add(preset.name);
    const formats = new Set<string>();
    for (const spec of preset.formats) {
      if (formats.has(spec.format)) {
        throw new PresetsError(`Invalid rendition presets: "${preset.name}" lists ${spec.format} twice`);
      }
      formats.add(spec.format);
    }
  }
  return result.value.presets;
}

export const DEFAULT_PRESETS: readonly RenditionPreset[] = parsePresets(DEFAULT_PRESETS_DOCUMENT);
