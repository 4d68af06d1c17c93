/**
 * The transform core: sharp pipelines for one rendition preset or one ad-hoc request
 * (width/height/fit/format/quality). The processor makes its renditions with it; the delivery service
 * makes on-the-fly variants with the same functions, so both produce the same bytes for the same spec.
 *
 *   transformImage(input, spec, limits?)     one encoded output from an encoded input
 *   decodeOriented(input, width, limits?)    decode once (auto-oriented, sRGB, 8-bit, downscaled)
 *   encodeDecoded(decoded, spec, limits?)    one output from a decoded image
 *   decodeWidthFor(width, height, specs)     the smallest decode every spec can be derived from
 *
 * Every output is auto-oriented from EXIF and carries no metadata at all: no EXIF (so no GPS), no
 * XMP, no IPTC, no ICC profile (pixels are converted to sRGB first).
 */
import sharp, { type Sharp } from 'sharp';

export type OutputFormat = 'webp' | 'jpeg' | 'avif' | 'png';
export type Fit = 'inside' | 'cover' | 'contain' | 'fill' | 'outside';

export interface TransformSpec {
  /** Maximum width; at least one of width and height. */
  width?: number;
  height?: number;
  /** sharp's fit for width x height; default inside. Never upscales. */
  fit?: Fit;
  format: OutputFormat;
  /** 1-100; default webp 80, jpeg 80, avif 50. */
  quality?: number;
  /** Encoder effort: webp 0-6, avif 0-9, png compression level 0-9. */
  effort?: number;
  /** Keep every frame of an animated input (WebP output only); otherwise the first frame. */
  animated?: boolean;
}

export interface DecodeLimits {
  /** Largest width x height decoded (per frame); bigger inputs fail before any pixel is decoded. */
  limitInputPixels: number;
  /** Seconds one pipeline may run before libvips stops it (0: no limit). */
  timeoutSeconds: number;
  /** libvips' sensitivity to corrupt input: 'error' stops at decode errors, tolerates warnings. */
  failOn: 'none' | 'truncated' | 'error' | 'warning';
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = {
  limitInputPixels: 100_000_000,
  timeoutSeconds: 20,
  failOn: 'error',
};

export interface TransformedImage {
  data: Buffer;
  format: OutputFormat;
  contentType: string;
  width: number;
  height: number;
  /** Frames in the output: more than 1 only for an animated WebP. */
  frames: number;
}

/** Pixels decoded once: sRGB, 8 bits per channel, auto-oriented, no metadata. */
export interface DecodedImage {
  pixels: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

export const CONTENT_TYPES: Record<OutputFormat, string> = {
  webp: 'image/webp',
  jpeg: 'image/jpeg',
  avif: 'image/avif',
  png: 'image/png',
};

export const DEFAULT_QUALITY: Record<Exclude<OutputFormat, 'png'>, number> = { webp: 80, jpeg: 80, avif: 50 };

/**
 * Largest side of any output: WebP cannot encode more than 16383 px, and every format is held to the
 * same bound so all renditions of a preset share a size. A width-only spec of a very tall image (a
 * 1000x20000 infographic) is fitted inside width x 16383 instead of failing.
 */
export const MAX_OUTPUT_SIDE = 16383;

/** The spec with the implicit bound on the side it leaves open (for `inside`, the default fit). */
export function withOutputBounds(spec: TransformSpec): TransformSpec {
  if ((spec.fit ?? 'inside') !== 'inside') return spec;
  return {
    ...spec,
    width: Math.min(spec.width ?? MAX_OUTPUT_SIDE, MAX_OUTPUT_SIDE),
    height: Math.min(spec.height ?? MAX_OUTPUT_SIDE, MAX_OUTPUT_SIDE),
  };
}

/**
 * Encoder settings, chosen by measurement (bench/encoder-settings.ts, figures in the README): WebP
 * and AVIF default to effort 4 (sharp's default; presets may lower it: the default thumb uses AVIF
 * effort 2); JPEG without mozjpeg (5-10x slower for about 18% fewer bytes), progressive (about 2x
 * the baseline encode time, 4% fewer bytes, and a usable image while it loads). Chroma 4:2:0.
 */
function encode(pipeline: Sharp, spec: TransformSpec, hasAlpha: boolean): Sharp {
  switch (spec.format) {
    case 'webp':
      return pipeline.webp({ quality: spec.quality ?? DEFAULT_QUALITY.webp, effort: spec.effort ?? 4 });
    case 'jpeg':
      // JPEG has no alpha: transparent pixels become white, not black.
      return (hasAlpha ? pipeline.flatten({ background: '#ffffff' }) : pipeline).jpeg({
        quality: spec.quality ?? DEFAULT_QUALITY.jpeg,
        progressive: true,
        mozjpeg: false,
        chromaSubsampling: '4:2:0',
      });
    case 'avif':
      return pipeline.avif({
        quality: spec.quality ?? DEFAULT_QUALITY.avif,
        effort: spec.effort ?? 4,
        chromaSubsampling: '4:2:0',
      });
    case 'png':
      return pipeline.png({ compressionLevel: spec.effort ?? 6, adaptiveFiltering: false });
  }
}

function resize(pipeline: Sharp, requested: TransformSpec): Sharp {
  const spec = withOutputBounds(requested);
  if (spec.width === undefined && spec.height === undefined) return pipeline;
  return pipeline.resize({
    width: spec.width,
    height: spec.height,
    fit: spec.fit ?? 'inside',
    withoutEnlargement: true,
  });
}

function limited(pipeline: Sharp, limits: DecodeLimits): Sharp {
  return limits.timeoutSeconds > 0 ? pipeline.timeout({ seconds: limits.timeoutSeconds }) : pipeline;
}

/** One output image from an encoded input (JPEG, PNG, WebP, GIF, AVIF, HEIF, TIFF). */
export async function transformImage(
  input: Buffer,
  spec: TransformSpec,
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
): Promise<TransformedImage> {
  const animated = spec.animated === true && spec.format === 'webp';
  const source = sharp(input, {
    failOn: limits.failOn,
    limitInputPixels: limits.limitInputPixels,
    animated,
  });
  const { hasAlpha } = await source.metadata();
  const pipeline = encode(resize(source.autoOrient(), spec), spec, hasAlpha === true);
  const { data, info } = await limited(pipeline, limits).toBuffer({ resolveWithObject: true });
  if (!animated) {
    return {
      data,
      format: spec.format,
      contentType: CONTENT_TYPES[spec.format],
      width: info.width,
      height: info.height,
      frames: 1,
    };
  }
  // libwebp merges identical consecutive frames (adding up their delays): count what was written.
  const written = await sharp(data).metadata();
  const frames = written.pages ?? 1;
  return {
    data,
    format: spec.format,
    contentType: CONTENT_TYPES[spec.format],
    width: info.width,
    height: frames > 1 ? Math.round(info.height / ((info as { pages?: number }).pages ?? 1)) : info.height,
    frames,
  };
}

/**
 * The width to decode an image of width x height (as displayed, after orientation) at, so that every
 * spec can still be derived from the decoded pixels without upscaling: the largest scale any spec
 * needs (rounded up), or undefined when that is the full size.
 */
export function decodeWidthFor(
  width: number,
  height: number,
  specs: readonly TransformSpec[],
): number | undefined {
  let scale = 0;
  for (const spec of specs.map(withOutputBounds)) {
    const sx = spec.width !== undefined ? spec.width / width : undefined;
    const sy = spec.height !== undefined ? spec.height / height : undefined;
    let needed: number;
    if (sx === undefined || sy === undefined) needed = sx ?? sy ?? 1;
    else if ((spec.fit ?? 'inside') === 'inside' || spec.fit === 'contain') needed = Math.min(sx, sy);
    else needed = Math.max(sx, sy);
    scale = Math.max(scale, needed);
  }
  if (scale === 0 || scale >= 1) return undefined;
  return Math.max(1, Math.ceil(width * scale));
}

/**
 * Decodes once: the first frame or page, auto-oriented, converted to 8-bit sRGB, downscaled to
 * `width` when given (shrink-on-load where the format allows it: JPEG decodes at 1/2, 1/4, 1/8
 * directly, WebP and AVIF scale while decoding).
 */
export async function decodeOriented(
  input: Buffer,
  width: number | undefined,
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
): Promise<DecodedImage> {
  let pipeline = sharp(input, {
    failOn: limits.failOn,
    limitInputPixels: limits.limitInputPixels,
  }).autoOrient();
  if (width !== undefined) pipeline = pipeline.resize({ width, withoutEnlargement: true });
  const { data, info } = await limited(
    pipeline.toColourspace('srgb').raw({ depth: 'uchar' }),
    limits,
  ).toBuffer({
    resolveWithObject: true,
  });
  return { pixels: data, width: info.width, height: info.height, channels: info.channels };
}

/** A sharp pipeline over decoded pixels. */
export function fromDecoded(decoded: DecodedImage): Sharp {
  return sharp(decoded.pixels, {
    raw: { width: decoded.width, height: decoded.height, channels: decoded.channels },
  });
}

/**
 * The size sharp gives an image of width x height (as displayed) for an `inside` spec, never
 * upscaled: the longer side meets its bound, the other follows the aspect ratio, rounded.
 */
export function insideSize(
  width: number,
  height: number,
  requested: TransformSpec,
): { width: number; height: number } {
  const spec = withOutputBounds(requested);
  const sx = spec.width !== undefined ? spec.width / width : Number.POSITIVE_INFINITY;
  const sy = spec.height !== undefined ? spec.height / height : Number.POSITIVE_INFINITY;
  if (Math.min(sx, sy) >= 1) return { width, height };
  if (sx <= sy)
    return {
      width: spec.width ?? width,
      height: Math.max(1, Math.round((height * (spec.width ?? width)) / width)),
    };
  return {
    width: Math.max(1, Math.round((width * (spec.height ?? height)) / height)),
    height: spec.height ?? height,
  };
}

/**
 * One output image derived from decoded pixels (see decodeOriented). With `original` (the source's
 * displayed size), an `inside` rendition gets exactly the size it would get from the source itself,
 * not one drifted by rounding in the decoded copy.
 */
export async function encodeDecoded(
  decoded: DecodedImage,
  spec: TransformSpec,
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
  original?: { width: number; height: number },
): Promise<TransformedImage> {
  const hasAlpha = decoded.channels === 2 || decoded.channels === 4;
  let pipeline = fromDecoded(decoded);
  if (
    original &&
    (spec.fit ?? 'inside') === 'inside' &&
    (spec.width !== undefined || spec.height !== undefined)
  ) {
    const size = insideSize(original.width, original.height, spec);
    if (size.width !== decoded.width || size.height !== decoded.height) {
      pipeline = pipeline.resize({ width: size.width, height: size.height, fit: 'fill' });
    }
  } else {
    pipeline = resize(pipeline, spec);
  }
  const { data, info } = await limited(encode(pipeline, spec, hasAlpha), limits).toBuffer({
    resolveWithObject: true,
  });
  return {
    data,
    format: spec.format,
    contentType: CONTENT_TYPES[spec.format],
    width: info.width,
    height: info.height,
    frames: 1,
  };
}
