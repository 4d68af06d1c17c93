import { DEFAULT_DECODE_LIMITS } from '@sluice/processor/transform';
import { ConfigError } from '@sluice/runtime';
import sharp from 'sharp';
import { SharpTransformer } from '../src/adapters/sharp-transformer';
import { readConfig, readObjectLambdaConfig } from '../src/config';
import { UnprocessableImageError } from '../src/ports/image-transformer';
import { fixture } from './support';

describe('SharpTransformer', () => {
  const transformer = new SharpTransformer(DEFAULT_DECODE_LIMITS);

  it("runs the processor's transform core: oriented, resized, re-encoded, without metadata", async () => {
    const out = await transformer.transform(fixture('jpeg/gps-phone.jpg'), {
      width: 300,
      height: 300,
      fit: 'cover',
      format: 'avif',
    });
    expect([out.format, out.contentType, out.width, out.height]).toEqual(['avif', 'image/avif', 300, 300]);
    const meta = await sharp(out.data).metadata();
    expect([meta.width, meta.height, meta.exif, meta.icc]).toEqual([300, 300, undefined, undefined]);
  });

  it.each([
    ['a pixel bomb', 'broken/pixel-bomb-20000x14000.jpg'],
    ['SVG (its loader is blocked)', 'svg/external-ref-embedded.svg'],
    ['a truncated JPEG', 'broken/truncated.jpg'],
  ])('refuses %s as unprocessable', async (_what, file) => {
    await expect(transformer.transform(fixture(file), { width: 100, format: 'webp' })).rejects.toBeInstanceOf(
      UnprocessableImageError,
    );
  });
});

describe('configuration', () => {
  const base = { INGEST_BUCKET: 'i', PROCESSED_BUCKET: 'p', ARCHIVE_BUCKET: 'a' };
  const keys = JSON.stringify({ current: 'k1', keys: { k1: Buffer.alloc(32, 9).toString('base64url') } });

  it("defaults to the processor's presets, no signing keys, and a year of caching", () => {
    const config = readConfig(base);
    expect(config.presets.map((p) => p.name)).toEqual(['thumb', 'medium', 'large']);
    expect(config.signingKeys).toBeNull();
    expect(config.signingKeysSecretId).toBeUndefined();
    expect([config.maxAgeSeconds, config.maxDimension, config.signingKeysTtlSeconds]).toEqual([
      31_536_000, 4096, 300,
    ]);
  });

  it('reads presets and inline keys, and refuses what is wrong with a clear error', () => {
    const presets = JSON.stringify({
      presets: [{ name: 'hero', width: 2400, formats: [{ format: 'avif' }] }],
    });
    const config = readConfig({ ...base, DELIVERY_PRESETS: presets, DELIVERY_SIGNING_KEYS: keys });
    expect(config.presets.map((p) => p.name)).toEqual(['hero']);
    expect(config.signingKeys?.current).toBe('k1');
    expect(() => readConfig({ ...base, DELIVERY_PRESETS: '{"presets":[]}' })).toThrow(ConfigError);
    expect(() =>
      readConfig({ ...base, DELIVERY_SIGNING_KEYS: '{"current":"k1","keys":{"k1":"short"}}' }),
    ).toThrow(/DELIVERY_SIGNING_KEYS: Invalid signing keys/);
    expect(() =>
      readConfig({ ...base, DELIVERY_SIGNING_KEYS: keys, DELIVERY_SIGNING_KEYS_SECRET_ID: 'x' }),
    ).toThrow(/not both/);
    expect(() => readConfig({ PROCESSED_BUCKET: 'p', ARCHIVE_BUCKET: 'a' })).toThrow(/INGEST_BUCKET/);
  });

  it('configures the Object Lambda function without buckets', () => {
    expect(readObjectLambdaConfig({ DELIVERY_MAX_DIMENSION: '2048' }).maxDimension).toBe(2048);
  });
});
