import { assetState, isSettled, pickRendition, toAssetView } from '../src';

const ASSET = '5a784a27-8385-4c63-a406-58f738a3f900';

const manifest = {
  assetId: ASSET,
  tenantId: 'dev',
  source: {
    bucket: 'ingest',
    key: `uploads/dev/${ASSET}/cat.jpg`,
    size: 10,
    eTag: 'e',
    sequencer: '0A',
    fileName: 'cat.jpg',
  },
  sha256: 'a'.repeat(64),
  detected: { mime: 'image/jpeg', kind: 'image', mismatch: false },
  renditions: [
    {
      preset: 'thumb',
      format: 'webp',
      key: `renditions/${ASSET}/thumb.webp`,
      width: 200,
      height: 150,
      bytes: 900,
      contentType: 'image/webp',
    },
    {
      preset: 'large',
      format: 'webp',
      key: `renditions/${ASSET}/large.webp`,
      width: 1600,
      height: 1200,
      bytes: 90000,
      contentType: 'image/webp',
    },
  ],
  processedAt: '2026-12-04T20:00:00Z',
  processorVersion: '1',
};

describe('toAssetView', () => {
  it('reads the stage booleans GET /assets/{id} answers today', () => {
    const view = toAssetView(
      {
        assetId: ASSET,
        stages: { uploaded: true, processed: true, indexed: true, archived: false },
        manifest,
      },
      ASSET,
    );
    expect(view.stages).toEqual({ uploaded: true, processed: true, indexed: true, archived: false });
    expect(assetState(view)).toBe('indexed');
    expect(isSettled(view)).toBe(false);
    expect(view.fileName).toBe('cat.jpg');
    expect(view.renditions.map((r) => `${r.preset}.${r.format}`)).toEqual(['thumb.webp', 'large.webp']);
  });

  it('settles when archived, or when rejected with a reason', () => {
    const done = toAssetView({ stages: { processed: true, indexed: true, archived: true } }, ASSET);
    expect(isSettled(done)).toBe(true);
    expect(assetState(done)).toBe('archived');
    const rejected = toAssetView(
      {
        stages: { uploaded: true },
        rejection: { reason: 'pixel-limit', message: 'Too many pixels', stage: 'processor' },
      },
      ASSET,
    );
    expect(rejected.rejected).toEqual({
      reason: 'pixel-limit',
      message: 'Too many pixels',
      stage: 'processor',
    });
    expect(assetState(rejected)).toBe('rejected');
    expect(isSettled(rejected)).toBe(true);
  });

  it('merges rendition URLs given as a list or as a map onto the manifest renditions', () => {
    const listed = toAssetView(
      { manifest, renditions: [{ preset: 'thumb', format: 'webp', url: 'https://cdn/thumb.webp' }] },
      ASSET,
    );
    expect(listed.renditions.find((r) => r.preset === 'thumb')).toMatchObject({
      width: 200,
      url: 'https://cdn/thumb.webp',
    });
    const mapped = toAssetView(
      { manifest, renditionUrls: { 'large.webp': 'https://cdn/large.webp' } },
      ASSET,
    );
    expect(mapped.renditions.find((r) => r.preset === 'large')?.url).toBe('https://cdn/large.webp');
  });

  it('refuses an answer that is not an object', () => {
    expect(() => toAssetView('nope', ASSET)).toThrow(/not a JSON object/);
  });
});

describe('pickRendition', () => {
  const renditions = [
    { preset: 'thumb', format: 'jpeg', width: 200, url: 'a' },
    { preset: 'thumb', format: 'webp', width: 200, url: 'b' },
    { preset: 'medium', format: 'webp', width: 800, url: 'c' },
    { preset: 'large', format: 'webp', width: 1600 },
  ];
  it('picks the smallest rendition at least as wide, webp first, among those with a URL', () => {
    expect(pickRendition(renditions, 150)?.url).toBe('b');
    expect(pickRendition(renditions, 400)?.url).toBe('c');
    expect(pickRendition(renditions, 1200)?.url).toBe('c');
    expect(pickRendition([], 100)).toBeUndefined();
  });
});
