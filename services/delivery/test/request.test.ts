import { DEFAULT_PRESETS } from '@sluice/processor/presets';
import { DeliveryError } from '../src/domain/errors';
import { negotiateFormat } from '../src/domain/formats';
import { parseRoute } from '../src/domain/request';
import { presetSpec, transformSpec, variantKey } from '../src/domain/variants';
import { ASSET_ID } from './support';

const LIMITS = { maxDimension: 4096 };

function refusal(
  method: string,
  path: string,
  query = '',
): { status: number; code: string; headers: object } {
  try {
    parseRoute(method, path, query, LIMITS);
  } catch (error) {
    if (error instanceof DeliveryError)
      return { status: error.status, code: error.code, headers: error.headers };
    throw error;
  }
  throw new Error(`expected ${method} ${path}?${query} to be refused`);
}

describe('delivery routes', () => {
  it('parses preset URLs, and the stored-key form CloudFront forwards', () => {
    expect(parseRoute('GET', `/v/${ASSET_ID}/thumb.webp`, '', LIMITS)).toEqual({
      kind: 'preset',
      assetId: ASSET_ID,
      preset: 'thumb',
      format: 'webp',
    });
    expect(parseRoute('HEAD', `/renditions/${ASSET_ID}/medium.auto`, 'v=2', LIMITS)).toEqual({
      kind: 'preset',
      assetId: ASSET_ID,
      preset: 'medium',
      format: 'auto',
    });
  });

  it('parses ad-hoc URLs with their defaults', () => {
    const route = parseRoute('GET', `/v/${ASSET_ID}`, 'w=300&exp=1&kid=k1&sig=x', LIMITS);
    expect(route).toMatchObject({
      kind: 'transform',
      path: `/v/${ASSET_ID}`,
      transform: { width: 300, height: undefined, fit: 'inside', format: 'auto', quality: undefined },
    });
  });

  it.each([
    ['POST', `/v/${ASSET_ID}/thumb.webp`, '', 405, 'method-not-allowed'],
    ['GET', '/v/not-a-uuid/thumb.webp', '', 404, 'not-found'],
    ['GET', `/v/${ASSET_ID}/Thumb!.webp`, '', 404, 'unknown-preset'],
    ['GET', `/v/${ASSET_ID}/thumb.gif`, '', 404, 'unknown-format'],
    ['GET', `/v/${ASSET_ID}/a/b/thumb.webp`, '', 404, 'not-found'],
    ['GET', '/elsewhere', '', 404, 'not-found'],
    ['GET', `/v/${ASSET_ID}`, 'format=webp', 400, 'invalid-parameter'],
    ['GET', `/v/${ASSET_ID}`, 'w=0', 400, 'invalid-parameter'],
    ['GET', `/v/${ASSET_ID}`, 'w=5000', 400, 'invalid-parameter'],
    ['GET', `/v/${ASSET_ID}`, 'w=1e3', 400, 'invalid-parameter'],
    ['GET', `/v/${ASSET_ID}`, 'w=100&w=200', 400, 'invalid-parameter'],
    ['GET', `/v/${ASSET_ID}`, 'w=100&fit=stretch', 400, 'invalid-parameter'],
    ['GET', `/v/${ASSET_ID}`, 'w=100&format=gif', 400, 'invalid-parameter'],
    ['GET', `/v/${ASSET_ID}`, 'w=100&q=101', 400, 'invalid-parameter'],
    ['GET', `/v/${ASSET_ID}`, 'w=100&exp=tomorrow', 400, 'invalid-parameter'],
    ['GET', `/v/${ASSET_ID}`, 'w=100&kid=a%20b', 400, 'invalid-parameter'],
    ['GET', `/v/${ASSET_ID}`, 'w=100&cachebuster=1', 400, 'unknown-parameter'],
  ])('refuses %s %s?%s with %i %s', (method, path, query, status, code) => {
    expect(refusal(method, path, query)).toMatchObject({ status, code });
  });

  it('says which methods are allowed', () => {
    expect(refusal('DELETE', `/v/${ASSET_ID}/thumb.webp`).headers).toEqual({ allow: 'GET, HEAD' });
  });
});

describe('format=auto', () => {
  const chrome = 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8';
  const safari16 =
    'image/webp,image/avif,image/jxl,image/heic,image/heic-sequence,video/*;q=0.8,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5';
  const old = 'image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5';

  it('picks AVIF, then WebP, from what the client names, else JPEG', () => {
    expect(negotiateFormat(chrome)).toBe('avif');
    expect(negotiateFormat(safari16)).toBe('avif');
    expect(negotiateFormat('image/webp,*/*')).toBe('webp');
    expect(negotiateFormat(old)).toBe('jpeg');
    expect(negotiateFormat(undefined)).toBe('jpeg');
    expect(negotiateFormat('*/*')).toBe('jpeg');
  });

  it('honours q=0 refusals', () => {
    expect(negotiateFormat('image/avif;q=0,image/webp')).toBe('webp');
    expect(negotiateFormat('image/avif; q=0.0, image/webp;q=0')).toBe('jpeg');
  });

  it("chooses among a preset's own formats", () => {
    expect(negotiateFormat(chrome, ['webp', 'jpeg'])).toBe('webp');
    expect(negotiateFormat(old, ['webp', 'jpeg'])).toBe('jpeg');
    expect(negotiateFormat(old, ['webp', 'png'])).toBe('png');
    expect(negotiateFormat(old, ['avif'])).toBe('avif');
  });
});

describe('variant specs and keys', () => {
  const thumb = DEFAULT_PRESETS.find((p) => p.name === 'thumb');
  if (!thumb) throw new Error('the default presets have a thumb');

  it("renders a preset with the processor's own settings, and only in its formats", () => {
    const avif = thumb.formats.find((f) => f.format === 'avif');
    expect(presetSpec(thumb, 'avif')).toEqual({
      width: thumb.width,
      fit: 'inside',
      format: 'avif',
      ...(avif?.quality !== undefined ? { quality: avif.quality } : {}),
      ...(avif?.effort !== undefined ? { effort: avif.effort } : {}),
      animated: true,
    });
    expect(presetSpec(thumb, 'png')).toBeNull();
  });

  it('keys an ad-hoc variant by its whole spec, the same spec always on the same key', () => {
    const spec = transformSpec(
      { width: 640, height: 480, fit: 'cover', format: 'auto', quality: 70 },
      'webp',
    );
    const key = variantKey(ASSET_ID, spec);
    expect(key).toMatch(new RegExp(`^variants/${ASSET_ID}/[0-9a-f]{32}\\.webp$`));
    expect(variantKey(ASSET_ID, { ...spec })).toBe(key);
    const others = [
      { ...spec, width: 641 },
      { ...spec, height: undefined },
      { ...spec, fit: 'inside' as const },
      { ...spec, quality: 71 },
      { ...spec, format: 'avif' as const },
    ].map((s) => variantKey(ASSET_ID, s));
    expect(new Set([key, ...others]).size).toBe(6);
  });
});
