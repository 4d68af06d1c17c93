import sharp from 'sharp';
import { SharpImageRenderer } from '../src/adapters/sharp-image-renderer';
import {
  decodeOriented,
  decodeWidthFor,
  encodeDecoded,
  insideSize,
  transformImage,
} from '../src/adapters/sharp-transform';
import { fixture } from './support/harness';

describe('transformImage (the transform core for ad-hoc specs)', () => {
  it('auto-orients, resizes inside the box and strips every piece of metadata', async () => {
    const out = await transformImage(fixture('jpeg/orient-8.jpg'), {
      width: 300,
      height: 300,
      format: 'jpeg',
      quality: 70,
    });
    expect([out.width, out.height, out.contentType, out.frames]).toEqual([300, 200, 'image/jpeg', 1]);
    const meta = await sharp(out.data).metadata();
    expect([meta.width, meta.height, meta.exif, meta.icc, meta.xmp, meta.orientation]).toEqual([
      300,
      200,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('crops to cover, and never upscales', async () => {
    const cover = await transformImage(fixture('png/alpha-rgba.png'), {
      width: 256,
      height: 256,
      fit: 'cover',
      format: 'webp',
    });
    expect([cover.width, cover.height]).toEqual([256, 256]);
    const small = await transformImage(fixture('png/palette.png'), { width: 1000, format: 'png' });
    expect([small.width, small.height]).toEqual([68, 68]);
  });

  it('keeps an animation in WebP when asked, frames and timing included', async () => {
    const input = fixture('gif/animated-30f.gif');
    const out = await transformImage(input, { width: 40, format: 'webp', animated: true });
    const meta = await sharp(out.data).metadata();
    const source = await sharp(input).metadata();
    // libwebp merges identical consecutive frames, adding up their delays: same animation.
    expect(out.frames).toBe(meta.pages);
    expect(out.frames).toBeGreaterThan(1);
    expect([meta.width, out.height]).toEqual([40, 40]);
    const total = (delays: number[] | undefined) => (delays ?? []).reduce((a, b) => a + b, 0);
    expect(total(meta.delay)).toBe(total(source.delay));
    expect(meta.loop).toBe(source.loop);
    const still = await transformImage(input, { width: 40, format: 'webp' });
    expect((await sharp(still.data).metadata()).pages).toBeUndefined();
  });

  it('flattens transparency onto white for JPEG', async () => {
    const out = await transformImage(fixture('gif/static-transparent-2x1.gif'), { width: 2, format: 'jpeg' });
    const { data } = await sharp(out.data).raw().toBuffer({ resolveWithObject: true });
    const transparentPixel = await sharp(fixture('gif/static-transparent-2x1.gif'))
      .ensureAlpha()
      .raw()
      .toBuffer();
    const alphaOf = [transparentPixel[3], transparentPixel[7]];
    const whiteIndex = alphaOf.indexOf(0);
    expect(whiteIndex).toBeGreaterThanOrEqual(0);
    expect([...data.subarray(whiteIndex * 3, whiteIndex * 3 + 3)].every((v) => v > 245)).toBe(true);
  });
});

describe('decode once, derive many', () => {
  it('decodes no larger than the largest spec needs, and derives the same sizes as from the source', async () => {
    const input = fixture('jpeg/baseline-photo-2725x2225.jpg');
    const specs = [
      { width: 1600, format: 'webp' as const },
      { width: 200, format: 'jpeg' as const },
    ];
    expect(decodeWidthFor(2725, 2225, specs)).toBe(1600);
    expect(decodeWidthFor(100, 100, specs)).toBeUndefined();
    expect(decodeWidthFor(4000, 1000, [{ width: 500, height: 500, fit: 'cover', format: 'png' }])).toBe(2000);
    const decoded = await decodeOriented(input, 1600);
    expect([decoded.width, decoded.height, decoded.channels]).toEqual([1600, 1306, 3]);
    for (const spec of specs) {
      const derived = await encodeDecoded(decoded, spec, undefined, { width: 2725, height: 2225 });
      const direct = await transformImage(input, spec);
      // The exact aspect-ratio size of the source; sharp from the source itself may be 1 px off
      // (JPEG shrink-on-load rounds the intermediate up).
      expect(derived.width).toBe(spec.width);
      expect(derived.height).toBe(Math.round((2225 * spec.width) / 2725));
      expect(Math.abs(derived.height - direct.height)).toBeLessThanOrEqual(1);
    }
    expect(insideSize(1800, 1200, { width: 800, format: 'webp' })).toEqual({ width: 800, height: 533 });
    expect(insideSize(100, 50, { width: 800, format: 'webp' })).toEqual({ width: 100, height: 50 });
    expect(insideSize(1000, 4000, { width: 800, height: 800, format: 'webp' })).toEqual({
      width: 200,
      height: 800,
    });
  });

  it('converts CMYK and 16-bit input to 8-bit sRGB', async () => {
    for (const file of ['jpeg/cmyk-icc.jpg', 'png/rgb16-trns.png', 'tiff/grey16-gps.tif']) {
      const decoded = await decodeOriented(fixture(file), undefined);
      expect(decoded.pixels.length).toBe(decoded.width * decoded.height * decoded.channels);
      expect(decoded.channels).toBeGreaterThanOrEqual(3);
    }
  });
});

describe('SharpImageRenderer safety', () => {
  const renderer = new SharpImageRenderer({ limitInputPixels: 1_000_000 });

  it('applies its own pixel limit from the header', async () => {
    await expect(
      renderer.inspect(fixture('jpeg/orient-1.jpg'), { mime: 'image/jpeg', kind: 'image' }),
    ).rejects.toMatchObject({ reason: 'pixel-limit' });
    await expect(
      renderer.inspect(fixture('png/palette.png'), { mime: 'image/png', kind: 'image' }),
    ).resolves.toMatchObject({ width: 68, height: 68 });
  });

  it('never hands SVG (or anything off the allowlist) to libvips, even when mislabelled', async () => {
    // The libvips-level block: SVG bytes fail in sharp itself, whatever the detector said.
    await expect(sharp(fixture('svg/simple.svg')).metadata()).rejects.toThrow(/unsupported image format/);
    await expect(
      renderer.inspect(fixture('svg/simple.svg'), { mime: 'image/png', kind: 'image' }),
    ).rejects.toMatchObject({
      reason: 'unsupported-image-format',
    });
    await expect(
      renderer.inspect(fixture('other/document.pdf'), { mime: 'image/jpeg', kind: 'image' }),
    ).rejects.toMatchObject({ reason: 'unsupported-image-format' });
  });
});
