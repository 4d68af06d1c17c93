import type { Placeholder } from '@sluice/contracts';
import type { DetectedFileType } from '../domain/file-type';
import type { RenditionFormat, RenditionPreset } from '../domain/presets';

/** What the processor learned about an image from its header (before decoding pixels). */
export interface ImageFacts {
  /** As stored (before orientation is applied). */
  width: number;
  height: number;
  /** Decoder format name: jpeg, png, webp, gif, avif, heif, tiff. */
  format: string;
  /** Animation frames (1 for stills). */
  frames: number;
  /** Pages of a multi-page file (TIFF) or items of a HEIF collection, when more than 1. */
  pages?: number;
  colorSpace: string;
  hasAlpha: boolean;
  /** EXIF orientation 1-8 (1 when absent or invalid). */
  orientation: number;
  animated: boolean;
}

export interface RenderedImage {
  preset: string;
  format: RenditionFormat;
  contentType: string;
  width: number;
  height: number;
  frames: number;
  body: Buffer;
}

/** Facts derived from the pixels, for search and for clients. */
export interface PixelFacts {
  /** #rrggbb */
  dominantColor: string;
  placeholder: Placeholder;
  /** 64-bit dHash, 16 hex digits. */
  perceptualHash: string;
}

export interface RenderResult {
  renditions: RenderedImage[];
  pixels: PixelFacts;
}

export interface ImageRenderer {
  /**
   * Image facts from the header, after the safety checks (decoder allowlist, pixel limit): throws
   * AssetRejectedError for an image that must not or cannot be decoded.
   */
  inspect(original: Buffer, detected: DetectedFileType): Promise<ImageFacts>;
  /** Every preset's renditions plus the pixel facts; throws AssetRejectedError for corrupt pixels. */
  render(original: Buffer, facts: ImageFacts, presets: readonly RenditionPreset[]): Promise<RenderResult>;
}
