import { type DeliveryRequest, deliver } from '../src/app/deliver';
import { signedTransformUrl } from '../src/domain/urls';
import { UnprocessableImageError } from '../src/ports/image-transformer';
import { OriginalUnavailableError } from '../src/ports/originals';
import { ASSET_ID, bodyOf, fakeDeps, manifest } from './support';

const NOW_SECONDS = Date.parse('2026-03-01T00:00:00Z') / 1000;
const CHROME_ACCEPT = 'image/avif,image/webp,image/*,*/*;q=0.8';

function get(path: string, extra: Partial<DeliveryRequest> = {}): DeliveryRequest {
  const [p = '', q = ''] = path.split('?');
  return { method: 'GET', path: p, rawQuery: q, ...extra };
}

function json(body: Buffer | undefined) {
  return JSON.parse((body ?? Buffer.alloc(0)).toString('utf8'));
}

describe('deliver', () => {
  it('serves a stored rendition as is, with its ETag and a year of caching', async () => {
    const { deps, variants, catalog, transformer } = fakeDeps();
    variants.seed(`renditions/${ASSET_ID}/thumb.webp`, Buffer.from('stored webp'), 'image/webp');
    const response = await deliver(get(`/v/${ASSET_ID}/thumb.webp`), deps);
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({
      'content-type': 'image/webp',
      etag: expect.stringMatching(/^"[0-9a-f]{32}"$/),
      'cache-control': 'public, max-age=31536000, immutable',
      'x-sluice-variant': 'stored',
      'x-content-type-options': 'nosniff',
    });
    expect(response.headers.vary).toBeUndefined();
    expect((await bodyOf(response.body)).toString()).toBe('stored webp');
    expect(catalog.calls).toEqual([]);
    expect(transformer.specs).toEqual([]);
  });

  it('answers 304 to a matching If-None-Match, stored or rendered', async () => {
    const { deps, variants } = fakeDeps();
    variants.seed(`renditions/${ASSET_ID}/thumb.webp`, Buffer.from('stored webp'), 'image/webp');
    const first = await deliver(get(`/v/${ASSET_ID}/thumb.webp`), deps);
    const etag = first.headers.etag as string;
    const again = await deliver(
      get(`/v/${ASSET_ID}/thumb.webp`, { ifNoneMatch: `"other", W/${etag}` }),
      deps,
    );
    expect(again.status).toBe(304);
    expect(again.headers.etag).toBe(etag);
    expect(again.body).toBeUndefined();
    const changed = await deliver(get(`/v/${ASSET_ID}/thumb.webp`, { ifNoneMatch: '"other"' }), deps);
    expect(changed.status).toBe(200);
  });

  it('renders a missing rendition from the original, stores it, and serves it from storage next time', async () => {
    const { deps, variants, catalog, originals, transformer } = fakeDeps();
    catalog.manifests.set(ASSET_ID, manifest());
    originals.bytes.set(ASSET_ID, Buffer.from('original'));
    const first = await deliver(get(`/v/${ASSET_ID}/medium.jpeg`), deps);
    await first.pending;
    expect(first.status).toBe(200);
    expect(first.headers['x-sluice-variant']).toBe('rendered');
    expect(first.headers['content-type']).toBe('image/jpeg');
    expect(transformer.specs).toEqual([
      expect.objectContaining({ width: 800, format: 'jpeg', fit: 'inside' }),
    ]);
    const stored = variants.objects.get(`renditions/${ASSET_ID}/medium.jpeg`);
    expect(stored?.metadata).toEqual({
      'source-sequencer': '006750B7A3123F4A1B',
      'source-sha256': 'a'.repeat(64),
    });
    expect(stored?.cacheControl).toBe('public, max-age=31536000, immutable');
    expect(await bodyOf(first.body)).toEqual(stored?.body);

    const second = await deliver(get(`/v/${ASSET_ID}/medium.jpeg`), deps);
    expect(second.headers['x-sluice-variant']).toBe('stored');
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(transformer.specs).toHaveLength(1);
  });

  it('picks the format from Accept for auto, and says it varies on Accept', async () => {
    const { deps, catalog, originals, variants } = fakeDeps();
    catalog.manifests.set(ASSET_ID, manifest());
    originals.bytes.set(ASSET_ID, Buffer.from('original'));
    const avif = await deliver(get(`/v/${ASSET_ID}/thumb.auto`, { accept: CHROME_ACCEPT }), deps);
    await avif.pending;
    expect(avif.headers['content-type']).toBe('image/avif');
    expect(avif.headers.vary).toBe('Accept');
    // medium has no AVIF: the best of its own formats.
    const webp = await deliver(get(`/v/${ASSET_ID}/medium.auto`, { accept: CHROME_ACCEPT }), deps);
    await webp.pending;
    expect(webp.headers['content-type']).toBe('image/webp');
    const jpeg = await deliver(get(`/v/${ASSET_ID}/medium.auto`, { accept: '*/*' }), deps);
    await jpeg.pending;
    expect(jpeg.headers['content-type']).toBe('image/jpeg');
    expect([...variants.objects.keys()].sort()).toEqual([
      `renditions/${ASSET_ID}/medium.jpeg`,
      `renditions/${ASSET_ID}/medium.webp`,
      `renditions/${ASSET_ID}/thumb.avif`,
    ]);
  });

  it('refuses unknown presets and formats a preset lacks before touching storage', async () => {
    const { deps, variants, catalog } = fakeDeps();
    const unknown = await deliver(get(`/v/${ASSET_ID}/huge.webp`), deps);
    expect(unknown.status).toBe(404);
    expect(json(unknown.body as Buffer)).toEqual({
      error: {
        code: 'unknown-preset',
        message: expect.stringMatching(/^Unknown preset "huge"; presets: thumb, /),
      },
    });
    expect(unknown.headers['cache-control']).toBe('public, max-age=60');
    const lacking = await deliver(get(`/v/${ASSET_ID}/medium.png`), deps);
    expect(lacking.status).toBe(404);
    expect(json(lacking.body as Buffer).error.code).toBe('unknown-format');
    expect(variants.calls).toEqual([]);
    expect(catalog.calls).toEqual([]);
  });

  it('renders a signed ad-hoc transform under its variant key, cached no longer than the URL lives', async () => {
    const { deps, catalog, originals, variants, transformer, ring } = fakeDeps();
    catalog.manifests.set(ASSET_ID, manifest());
    originals.bytes.set(ASSET_ID, Buffer.from('original'));
    const url = new URL(
      signedTransformUrl(
        'https://x',
        ASSET_ID,
        { width: 320, fit: 'cover', height: 200, format: 'auto', quality: 60 },
        NOW_SECONDS + 600,
        ring,
      ),
    );
    const response = await deliver(get(`${url.pathname}${url.search}`, { accept: 'image/webp' }), deps);
    await response.pending;
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({
      'content-type': 'image/webp',
      'cache-control': 'public, max-age=600',
      vary: 'Accept',
    });
    expect(transformer.specs).toEqual([
      { width: 320, height: 200, fit: 'cover', format: 'webp', quality: 60, animated: true },
    ]);
    const [key] = [...variants.objects.keys()];
    expect(key).toMatch(new RegExp(`^variants/${ASSET_ID}/[0-9a-f]{32}\\.webp$`));
  });

  it('refuses unsigned, forged and expired ad-hoc requests before any storage access or image work', async () => {
    const { deps: base, variants, catalog, transformer, ring } = fakeDeps();
    const keyReads: string[] = [];
    const deps = {
      ...base,
      signingKeys: {
        keyring: async () => {
          keyReads.push('read');
          return ring;
        },
      },
    };
    const signed = new URL(signedTransformUrl('https://x', ASSET_ID, { width: 320 }, NOW_SECONDS + 60, ring));
    const cases: [string, string][] = [
      [`/v/${ASSET_ID}?w=320&format=webp`, 'signature-required'],
      [`${signed.pathname}${signed.search.replace('w=320', 'w=321')}`, 'invalid-signature'],
    ];
    for (const [path, code] of cases) {
      const response = await deliver(get(path), deps);
      expect(response.status).toBe(403);
      expect(json(response.body as Buffer).error.code).toBe(code);
      expect(response.headers['cache-control']).toBe('no-store');
    }
    // The unsigned one was refused without reading the keys; the forged one read them.
    expect(keyReads).toEqual(['read']);
    const later = { ...deps, now: () => (NOW_SECONDS + 61) * 1000 };
    const expired = await deliver(get(`${signed.pathname}${signed.search}`), later);
    expect(expired.status).toBe(403);
    expect(json(expired.body as Buffer).error.code).toBe('url-expired');
    expect(variants.calls).toEqual([]);
    expect(catalog.calls).toEqual([]);
    expect(transformer.specs).toEqual([]);
  });

  it('answers 404 for an asset without a manifest, and for one that is not an image', async () => {
    const { deps, catalog } = fakeDeps();
    const missing = await deliver(get(`/v/${ASSET_ID}/thumb.webp`), deps);
    expect(missing.status).toBe(404);
    expect(json(missing.body as Buffer).error.code).toBe('asset-not-found');
    expect(missing.headers['cache-control']).toBe('no-store');
    catalog.manifests.set(
      ASSET_ID,
      manifest({
        detected: { mime: 'application/pdf', kind: 'document', mismatch: false },
        image: undefined,
      }),
    );
    const pdf = await deliver(get(`/v/${ASSET_ID}/thumb.webp`), deps);
    expect(pdf.status).toBe(404);
    expect(json(pdf.body as Buffer).error).toEqual({
      code: 'not-an-image',
      message: `Asset ${ASSET_ID} is application/pdf, not an image: it has no image variants`,
    });
  });

  it('answers 409 with how to restore when the original is in cold storage', async () => {
    const { deps, catalog, originals, variants } = fakeDeps();
    catalog.manifests.set(ASSET_ID, manifest());
    originals.failures.set(
      ASSET_ID,
      new OriginalUnavailableError('archived', 'cold', {
        bucket: 'archive',
        key: `originals/tenant-acme/${ASSET_ID}/photo.jpg`,
        storageClass: 'DEEP_ARCHIVE',
      }),
    );
    const response = await deliver(get(`/v/${ASSET_ID}/large.webp`), deps);
    expect(response.status).toBe(409);
    const { error } = json(response.body as Buffer);
    expect(error.code).toBe('original-archived');
    expect(error.message).toContain('DEEP_ARCHIVE');
    expect(error.message).toContain(`s3://archive/originals/tenant-acme/${ASSET_ID}/photo.jpg`);
    expect(error.message).toContain(`sluice-ops restore ${ASSET_ID}`);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(variants.objects.size).toBe(0);

    originals.failures.set(ASSET_ID, new OriginalUnavailableError('restoring', 'restoring'));
    const restoring = await deliver(get(`/v/${ASSET_ID}/large.webp`), deps);
    expect(restoring.status).toBe(409);
    expect(restoring.headers['retry-after']).toBe('900');
    expect(json(restoring.body as Buffer).error.code).toBe('original-restoring');
  });

  it('maps a replaced original to 503 with Retry-After, bad pixels to 422, and failures to 500', async () => {
    const { deps, catalog, originals, transformer } = fakeDeps();
    catalog.manifests.set(ASSET_ID, manifest());
    originals.failures.set(ASSET_ID, new OriginalUnavailableError('changed', 'changed'));
    const changed = await deliver(get(`/v/${ASSET_ID}/thumb.webp`), deps);
    expect([changed.status, changed.headers['retry-after']]).toEqual([503, '5']);

    originals.failures.delete(ASSET_ID);
    originals.bytes.set(ASSET_ID, Buffer.from('original'));
    transformer.failWith = new UnprocessableImageError('Input image exceeds pixel limit');
    const bomb = await deliver(get(`/v/${ASSET_ID}/thumb.webp`), deps);
    expect(bomb.status).toBe(422);
    expect(json(bomb.body as Buffer).error.code).toBe('unprocessable-image');

    transformer.failWith = new Error('socket hang up');
    const broken = await deliver(get(`/v/${ASSET_ID}/thumb.webp`), deps);
    expect(broken.status).toBe(500);
    expect(json(broken.body as Buffer)).toEqual({
      error: { code: 'internal-error', message: 'The variant could not be delivered' },
    });
  });

  it('answers HEAD with the headers only, rendering a miss all the same', async () => {
    const { deps, catalog, originals, variants } = fakeDeps();
    catalog.manifests.set(ASSET_ID, manifest());
    originals.bytes.set(ASSET_ID, Buffer.from('original'));
    const response = await deliver({ ...get(`/v/${ASSET_ID}/thumb.jpeg`), method: 'HEAD' }, deps);
    await response.pending;
    expect(response.status).toBe(200);
    expect(response.body).toBeUndefined();
    expect(variants.objects.has(`renditions/${ASSET_ID}/thumb.jpeg`)).toBe(true);
    const unknown = await deliver({ ...get(`/v/${ASSET_ID}/nope.jpeg`), method: 'HEAD' }, deps);
    expect([unknown.status, unknown.body]).toEqual([404, undefined]);
  });

  it('serves a rendered variant even when storing it fails (the next miss renders again)', async () => {
    const { deps, catalog, originals, variants } = fakeDeps();
    catalog.manifests.set(ASSET_ID, manifest());
    originals.bytes.set(ASSET_ID, Buffer.from('original'));
    variants.putIfAbsent = async () => {
      throw new Error('SlowDown');
    };
    const response = await deliver(get(`/v/${ASSET_ID}/thumb.webp`), deps);
    await expect(response.pending).resolves.toBeUndefined();
    expect(response.status).toBe(200);
    expect((await bodyOf(response.body)).length).toBe(100);
  });

  it('serves what a concurrent writer stored first, with an ETag of its own bytes', async () => {
    const { deps, catalog, originals, variants } = fakeDeps();
    catalog.manifests.set(ASSET_ID, manifest());
    originals.bytes.set(ASSET_ID, Buffer.from('original'));
    // The processor wrote it between our miss and our write.
    const original = variants.putIfAbsent.bind(variants);
    variants.putIfAbsent = async (variant) => {
      variants.seed(variant.key, Buffer.from('processor bytes'), 'image/webp');
      return original(variant);
    };
    const response = await deliver(get(`/v/${ASSET_ID}/thumb.webp`), deps);
    expect(response.status).toBe(200);
    expect(variants.objects.get(`renditions/${ASSET_ID}/thumb.webp`)?.body.toString()).toBe(
      'processor bytes',
    );
    expect(response.headers.etag).toMatch(/^"[0-9a-f]{32}"$/);
  });
});
