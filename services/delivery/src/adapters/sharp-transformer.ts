import { type DecodeLimits, transformImage } from '@sluice/processor/transform';
import sharp from 'sharp';
import {
  type ImageTransformer,
  type TransformedImage,
  type TransformSpec,
  UnprocessableImageError,
} from '../ports/image-transformer';

/**
 * libvips loaders this service may run, the processor's allowlist: originals reach delivery only
 * once the processor accepted them, but bytes can change under a key, so every other loader (SVG,
 * PDF, Magick, …) stays blocked for buffers, process-wide.
 */
export const ALLOWED_LOADERS = [
  'VipsForeignLoadJpegBuffer',
  'VipsForeignLoadPngBuffer',
  'VipsForeignLoadWebpBuffer',
  'VipsForeignLoadNsgifBuffer',
  'VipsForeignLoadHeifBuffer',
  'VipsForeignLoadTiffBuffer',
];
sharp.block({ operation: ['VipsForeignLoad'] });
sharp.unblock({ operation: ALLOWED_LOADERS });

/** The processor's transform core (sharp), within the configured decode limits. */
export class SharpTransformer implements ImageTransformer {
  constructor(private readonly limits: DecodeLimits) {}

  async transform(input: Buffer, spec: TransformSpec): Promise<TransformedImage> {
    try {
      return await transformImage(input, spec, this.limits);
    } catch (error) {
      // sharp fails only on its input here: corrupt, over the pixel limit, timed out, unsupported.
      throw new UnprocessableImageError((error as Error).message ?? String(error));
    }
  }
}
