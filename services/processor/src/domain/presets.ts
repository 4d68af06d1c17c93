export type RenditionFormat = 'webp' | 'jpeg';

export interface RenditionPreset {
  name: string;
  /** Target width in pixels; smaller images are never upscaled. */
  width: number;
  format: RenditionFormat;
  quality: number;
}

export const DEFAULT_PRESETS: readonly RenditionPreset[] = [
  { name: 'medium', width: 800, format: 'webp', quality: 80 },
];
