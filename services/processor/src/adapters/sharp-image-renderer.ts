import sharp, { type Metadata } from 'sharp';
import type { RenditionPreset } from '../domain/presets';
import { AssetRejectedError } from '../domain/rejection';
import type { ImageInfo, ImageRenderer, RenderedImage } from '../ports/image-renderer';

/** Formats this renderer decodes; anything else passes through as a non-image file. */
const DECODABLE = new Set(['jpeg', 'png', 'webp', 'gif', 'avif', 'heif', 'tiff']);

export class SharpImageRenderer implements ImageRenderer {
  constructor(private readonly limitInputPixels = 100_000_000) {}

  async inspect(original: Buffer): Promise<ImageInfo | null> {
    let meta: Metadata;
    try {
      meta = await sharp(original, { limitInputPixels: false }).metadata();
    } catch {
      return null;
    }
    if (!meta.format || !DECODABLE.has(meta.format) || !meta.width || !meta.height) return null;
    if (meta.width * meta.height > this.limitInputPixels) {
      throw new AssetRejectedError(
        'pixel-limit',
        `Image is ${meta.width}x${meta.height}, over the ${this.limitInputPixels}-pixel limit`,
      );
    }
    return {
      width: meta.width,
      height: meta.height,
      // libvips reports AVIF as its container format, HEIF; the compression tells them apart.
      format: meta.format === 'heif' && meta.compression === 'av1' ? 'avif' : meta.format,
      colorSpace: meta.space ?? 'unknown',
      frames: meta.pages ?? 1,
      hasAlpha: meta.hasAlpha ?? false,
      orientation: meta.orientation,
    };
  }

  async render(original: Buffer, presets: readonly RenditionPreset[]): Promise<RenderedImage[]> {
    const rendered: RenderedImage[] = [];
    for (const preset of presets) {
      try {
        const { data, info } = await sharp(original, {
          failOn: 'error',
          limitInputPixels: this.limitInputPixels,
        })
          .rotate()
          .resize({ width: preset.width, withoutEnlargement: true })
          .toFormat(preset.format, { quality: preset.quality })
          .toBuffer({ resolveWithObject: true });
        rendered.push({
          preset: preset.name,
          format: preset.format,
          width: info.width,
          height: info.height,
          body: data,
        });
      } catch (error) {
        throw new AssetRejectedError(
          'undecodable-image',
          `Image could not be decoded: ${(error as Error).message}`,
        );
      }
    }
    return rendered;
  }
}
