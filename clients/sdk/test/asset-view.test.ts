import { assetState, isSettled, pickRendition, toAssetView } from '../src';

const ASSET = '5a784a27-8385-4c63-a406-58f738a3f900';

/** An asset-status/v1 answer, as the ingest service gives it. */
const status = {
  assetId: ASSET,
  tenantId: 'dev',
  state: 'indexed',
  stages: { uploaded: true, processed: true, indexed: true, archived: false },
  fileName: 'cat.jpg',
  contentType: 'image/jpeg',
  size: 1234,
  sha256: 'a'.repeat(64),
  detected: { mime: 'image/jpeg', kind: 'image' },
  image: { width: 1600, height: 1200, format: 'jpeg' },
  processedAt: '2026-12-04T20:00:00Z',
  renditions: [
    {
      preset: 'thumb',
      format: 'webp',
      width: 200,
      height: 150,
      bytes: 900,
      contentType: 'image/webp',
      url: 'http://s3/thumb.webp',
      expiresAt: '2026-12-04T21:00:00Z',
    },
    {
      preset: 'large',
      format: 'webp',
      width: 1600,
      height: 1200,
      bytes: 90000,
      contentType: 'image/webp',
      url: 'http://s3/large.webp',
      expiresAt: '2026-12-04T21:00:00Z',
    },
  ],
};

describe('toAssetView', () => {
  it('reads asset-status/v1: state, stages, metadata and rendition URLs', () => {
    const view = toAssetView(status, ASSET);
    expect(view.state).toBe('indexed');
    expect(view.stages).toEqual({ uploaded: true, processed: true, indexed: true, archived: false });
    expect(assetState(view)).toBe('indexed');
    expect(isSettled(view)).toBe(false);
    expect(view).toMatchObject({
      fileName: 'cat.jpg',
      size: 1234,
      image: { width: 1600, height: 1200 },
      detected: { kind: 'image' },
    });
    expect(view.renditions.map((r) => r.url)).toEqual(['http://s3/thumb.webp', 'http://s3/large.webp']);
  });

  it('settles when archived, or when rejected with a reason', () => {
    expect(
      isSettled(
        toAssetView({ ...status, state: 'archived', stages: { ...status.stages, archived: true } }, ASSET),
      ),
    ).toBe(true);
    const rejected = toAssetView(
      {
        assetId: ASSET,
        tenantId: 'dev',
        state: 'rejected',
        stages: { uploaded: true, processed: false, indexed: false, archived: false },
        rejection: { reason: 'pixel-limit', message: 'Too many pixels', stage: 'process' },
        renditions: [],
      },
      ASSET,
    );
    expect(rejected.rejected).toEqual({
      reason: 'pixel-limit',
      message: 'Too many pixels',
      stage: 'process',
      rejectedAt: undefined,
    });
    expect(assetState(rejected)).toBe('rejected');
    expect(isSettled(rejected)).toBe(true);
  });

  it('picks up a placeholder, dominant color and EXIF when the answer carries them', () => {
    const view = toAssetView(
      {
        ...status,
        placeholder: { type: 'thumbhash', value: 'YJqGPQw7sFlslqhFafSE+Q6oJ1h2iHB2Rw' },
        dominantColor: '#336699',
        exif: { make: 'Canon' },
      },
      ASSET,
    );
    expect(view.placeholder).toEqual({ type: 'thumbhash', value: 'YJqGPQw7sFlslqhFafSE+Q6oJ1h2iHB2Rw' });
    expect(view.dominantColor).toBe('#336699');
    expect(view.exif).toEqual({ make: 'Canon' });
  });

  it('derives the state from the stages when an answer has none, and refuses non-objects', () => {
    expect(toAssetView({ stages: { processed: true } }, ASSET).state).toBe('processed');
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
