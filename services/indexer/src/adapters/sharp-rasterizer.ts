import type { EncodedImage, Raster } from '@sluice/search';
import sharp from 'sharp';

/** Renditions are small, but a rendition is still input: keep sharp's pixel limit. */
const SIZE = 64;

/** Decodes a rendition to 64 x 64 sRGB pixels (upright, alpha flattened on white) for the local embedder. */
export async function rasterizeWithSharp(image: EncodedImage): Promise<Raster> {
  const { data, info } = await sharp(image.bytes)
    .rotate()
    .flatten({ background: '#ffffff' })
    .resize(SIZE, SIZE, { fit: 'fill' })
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`Expected 3 channels from the rasterizer, got ${info.channels}`);
  return {
    width: info.width,
    height: info.height,
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
  };
}
