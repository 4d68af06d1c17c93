import type { RenditionFormat, RenditionPreset } from '../domain/presets';

export interface ImageInfo {
  width: number;
  height: number;
  format: string;
  frames: number;
  hasAlpha: boolean;
  colorSpace: string;
  orientation?: number;
}

export interface RenderedImage {
  preset: string;
  format: RenditionFormat;
  width: number;
  height: number;
  body: Buffer;
}

export interface ImageRenderer {
  /** Image facts, or null when the bytes are not an image this renderer decodes. */
  inspect(original: Buffer): Promise<ImageInfo | null>;
  render(original: Buffer, presets: readonly RenditionPreset[]): Promise<RenderedImage[]>;
}
