import pLimit from 'p-limit';
import sharp, { type Metadata } from 'sharp';
import { rgbaToThumbHash } from 'thumbhash';
import { apngFrameCount } from '../domain/apng';
import type { DetectedFileType } from '../domain/file-type';
import { DHASH_HEIGHT, DHASH_WIDTH, differenceHash } from '../domain/perceptual-hash';
import type { RenditionPreset } from '../domain/presets';
import { AssetRejectedError } from '../domain/rejection';
import type {
  ImageFacts,
  ImageRenderer,
  PixelFacts,
  RenderedImage,
  RenderResult,
} from '../ports/image-renderer';
import {
  DEFAULT_DECODE_LIMITS,
  type DecodedImage,
  type DecodeLimits,
  decodeOriented,
  decodeWidthFor,
  encodeDecoded,
  fromDecoded,
  type TransformedImage,
  type TransformSpec,
  transformImage,
} from './sharp-transform';

/**
 * The decoder allowlist, by detected media type. Anything else that is an image is refused:
 * SVG (scriptable, can reference external files and URLs) as unsafe, the rest as unsupported.
 */
const DECODABLE_TYPES = new Set([
  'image/jpeg',
  'image/png',
  'image/apng',
  'image/webp',
  'image/gif',
  'image/avif',
  'image/heif',
  'image/heic',
  'image/tiff',
]);
const SCRIPTABLE_TYPES = new Set(['image/svg+xml']);
/** libvips' loader names for the allowlisted types. */
const DECODABLE_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'heif', 'tiff']);
/**
 * The same allowlist inside libvips: every loader is blocked except these, for buffers (what the
 * processor decodes). Even bytes that slipped past detection cannot reach the SVG, PDF, Magick,
 * FITS, Matlab or other loaders. Process-wide, set once when this module loads.
 */
export const ALLOWED_LIBVIPS_LOADERS = [
  'VipsForeignLoadJpegBuffer',
  'VipsForeignLoadPngBuffer',
  'VipsForeignLoadWebpBuffer',
  'VipsForeignLoadNsgifBuffer',
  'VipsForeignLoadHeifBuffer',
  'VipsForeignLoadTiffBuffer',
];
sharp.block({ operation: ['VipsForeignLoad'] });
sharp.unblock({ operation: ALLOWED_LIBVIPS_LOADERS });

/** Side of the image thumbhash encodes (its maximum). */
const PLACEHOLDER_SIZE = 100;

export interface SharpImageRendererOptions extends Partial<DecodeLimits> {
  /** Encodes of one image in flight at once (each on a libuv thread); default 2. */
  concurrency?: number;
}

function rejectionFor(error: unknown): AssetRejectedError {
  const message = (error as Error).message ?? String(error);
  if (/timeout/i.test(message)) {
    return new AssetRejectedError(
      'processing-timeout',
      `Image processing took too long and was stopped: ${message}`,
    );
  }
  if (/pixel limit/i.test(message))
    return new AssetRejectedError('pixel-limit', `Image is too large: ${message}`);
  return new AssetRejectedError('undecodable-image', `Image could not be decoded: ${message}`.slice(0, 1000));
}

function hex(n: number): string {
  return Math.round(n).toString(16).padStart(2, '0');
}

/** Image renditions and facts with sharp (libvips): decode once, derive every size from that. */
export class SharpImageRenderer implements ImageRenderer {
  private readonly limits: DecodeLimits;
  private readonly concurrency: number;

  constructor(options: SharpImageRendererOptions = {}) {
    const { concurrency, ...limits } = options;
    this.limits = {
      ...DEFAULT_DECODE_LIMITS,
      ...Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined)),
    };
    this.concurrency = concurrency ?? 2;
  }

  async inspect(original: Buffer, detected: DetectedFileType): Promise<ImageFacts> {
    if (SCRIPTABLE_TYPES.has(detected.mime)) {
      throw new AssetRejectedError(
        'unsafe-image-format',
        `${detected.mime} is refused: SVG can carry scripts and reference external files and URLs, so it is never decoded or served`,
      );
    }
    if (!DECODABLE_TYPES.has(detected.mime)) {
      throw new AssetRejectedError(
        'unsupported-image-format',
        `${detected.mime} images are not supported; accepted: JPEG, PNG, WebP, GIF, AVIF, HEIF (AV1), TIFF`,
      );
    }
    let meta: Metadata;
    try {
      // Header only: nothing is decoded yet, whatever its size.
      meta = await sharp(original, { limitInputPixels: false }).metadata();
    } catch (error) {
      const message = (error as Error).message;
      if (/unsupported image format/i.test(message)) {
        throw new AssetRejectedError(
          'unsupported-image-format',
          `This ${detected.mime} variant cannot be decoded (for example an AVIF image sequence): ${message}`,
        );
      }
      throw new AssetRejectedError(
        'undecodable-image',
        `Image could not be decoded: ${message}`.slice(0, 1000),
      );
    }
    if (!meta.format || !DECODABLE_FORMATS.has(meta.format) || !meta.width || !meta.height) {
      throw new AssetRejectedError(
        'unsupported-image-format',
        `Image format ${meta.format ?? 'unknown'} is not supported`,
      );
    }
    if (meta.format === 'heif' && meta.compression !== 'av1') {
      throw new AssetRejectedError(
        'unsupported-image-format',
        `HEIF/HEIC with ${meta.compression ?? 'unknown'} compression cannot be decoded (no HEVC decoder is bundled, for patent reasons); upload JPEG or AVIF instead`,
      );
    }
    const frameHeight = meta.pageHeight ?? meta.height;
    if (meta.width * frameHeight > this.limits.limitInputPixels) {
      throw new AssetRejectedError(
        'pixel-limit',
        `Image is ${meta.width}x${frameHeight} pixels, over the ${this.limits.limitInputPixels.toLocaleString('en-US')}-pixel limit`,
      );
    }
    const isAnimatedFormat = meta.format === 'gif' || meta.format === 'webp';
    const apngFrames = detected.mime === 'image/apng' ? apngFrameCount(original) : undefined;
    const frames = isAnimatedFormat ? (meta.pages ?? 1) : (apngFrames ?? 1);
    const pages = !isAnimatedFormat && (meta.pages ?? 1) > 1 ? meta.pages : undefined;
    return {
      width: meta.width,
      height: frameHeight,
      // libvips reports AVIF as its container format, HEIF; the compression tells them apart.
      format: meta.format === 'heif' && meta.compression === 'av1' ? 'avif' : meta.format,
      frames,
      ...(pages ? { pages } : {}),
      colorSpace: meta.space ?? 'srgb',
      hasAlpha: meta.hasAlpha ?? false,
      orientation: meta.orientation && meta.orientation >= 1 && meta.orientation <= 8 ? meta.orientation : 1,
      animated: frames > 1,
    };
  }

  async render(
    original: Buffer,
    facts: ImageFacts,
    presets: readonly RenditionPreset[],
  ): Promise<RenderResult> {
    try {
      return await this.renderUnsafe(original, facts, presets);
    } catch (error) {
      if (error instanceof AssetRejectedError) throw error;
      throw rejectionFor(error);
    }
  }

  private async renderUnsafe(
    original: Buffer,
    facts: ImageFacts,
    presets: readonly RenditionPreset[],
  ): Promise<RenderResult> {
    const jobs = presets.flatMap((preset) =>
      preset.formats.map((f) => ({
        preset: preset.name,
        spec: {
          width: preset.width,
          height: preset.height,
          fit: preset.fit,
          format: f.format,
          quality: f.quality,
          effort: f.effort,
          animated: preset.animated !== false,
        } satisfies TransformSpec,
      })),
    );
    // An animation is kept in WebP, frames and timing included, when every frame fits the pixel
    // limit together; GIF/WebP animations over it, and every other format, get the first frame.
    const keepsAnimation =
      facts.animated &&
      (facts.format === 'gif' || facts.format === 'webp') &&
      facts.width * facts.height * facts.frames <= this.limits.limitInputPixels;
    const animatedJobs = jobs.filter((j) => keepsAnimation && j.spec.format === 'webp' && j.spec.animated);
    const stillJobs = jobs.filter((j) => !animatedJobs.includes(j));

    const swap = facts.orientation >= 5;
    const displayedWidth = swap ? facts.height : facts.width;
    const displayedHeight = swap ? facts.width : facts.height;
    const decodeWidth = decodeWidthFor(displayedWidth, displayedHeight, [
      ...stillJobs.map((j) => j.spec),
      { width: PLACEHOLDER_SIZE, height: PLACEHOLDER_SIZE, format: 'png' },
    ]);
    const decoded = await decodeOriented(original, decodeWidth, this.limits);

    const limit = pLimit(this.concurrency);
    const made = async (preset: string, out: TransformedImage): Promise<RenderedImage> => ({
      preset,
      format: out.format,
      contentType: out.contentType,
      width: out.width,
      height: out.height,
      frames: out.frames,
      body: out.data,
    });
    const [renditions, pixels] = await Promise.all([
      Promise.all(
        jobs.map((job) =>
          limit(async () =>
            made(
              job.preset,
              animatedJobs.includes(job)
                ? await transformImage(original, { ...job.spec, animated: true }, this.limits)
                : await encodeDecoded(decoded, job.spec, this.limits, {
                    width: displayedWidth,
                    height: displayedHeight,
                  }),
            ),
          ),
        ),
      ),
      limit(() => pixelFacts(decoded)),
    ]);
    return { renditions, pixels };
  }
}

/** Dominant colour, ThumbHash placeholder and dHash, from one small copy of the decoded pixels. */
export async function pixelFacts(decoded: DecodedImage): Promise<PixelFacts> {
  const small = await fromDecoded(decoded)
    .resize({ width: PLACEHOLDER_SIZE, height: PLACEHOLDER_SIZE, fit: 'inside' })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const smallImage = sharp(small.data, {
    raw: { width: small.info.width, height: small.info.height, channels: 4 },
  });
  const [stats, grey] = await Promise.all([
    smallImage.clone().stats(),
    smallImage
      .clone()
      .flatten({ background: '#ffffff' })
      .resize({ width: DHASH_WIDTH, height: DHASH_HEIGHT, fit: 'fill' })
      .toColourspace('b-w')
      .raw()
      .toBuffer(),
  ]);
  const { r, g, b } = stats.dominant;
  return {
    dominantColor: `#${hex(r)}${hex(g)}${hex(b)}`,
    placeholder: {
      type: 'thumbhash',
      value: Buffer.from(rgbaToThumbHash(small.info.width, small.info.height, small.data)).toString('base64'),
    },
    perceptualHash: differenceHash(grey),
  };
}
