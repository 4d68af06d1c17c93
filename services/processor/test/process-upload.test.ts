import { createHash } from 'node:crypto';
import { validate } from '@sluice/contracts';
import { manifestKey, quarantineKey, rejectionKey, renditionKey } from '@sluice/runtime';
import sharp from 'sharp';
import { assertTimeLeft, DeadlineError } from '../src/app/deadline';
import { processUpload } from '../src/app/process-upload';
import { parsePresets } from '../src/domain/presets';
import { fixture, harness } from './support/harness';

const assetId = '0b6a7c1e-2f4d-4e8a-9c3b-5d6e7f8a9b0c';
const ALL_RENDITIONS = [
  'large.jpeg',
  'large.webp',
  'medium.jpeg',
  'medium.webp',
  'thumb.avif',
  'thumb.jpeg',
  'thumb.webp',
].map((name) => `renditions/${assetId}/${name}`);

describe('processUpload', () => {
  it('renders every preset auto-oriented and metadata-free, and writes a valid manifest last', async () => {
    const h = harness(fixture('jpeg/orient-6.jpg'), { fileName: 'portrait.jpg', contentType: 'image/jpeg' });
    await expect(processUpload(h.event(), h.deps)).resolves.toBe('succeeded');

    expect(h.storage.processedKeys()).toEqual([...ALL_RENDITIONS, manifestKey(assetId)].sort());
    expect(h.storage.writes.at(-1)).toBe(manifestKey(assetId));
    // Stored 1200x1800 with orientation 6: displayed landscape 1800x1200.
    const sizes = await Promise.all(
      ['thumb.webp', 'medium.jpeg', 'large.webp'].map(async (name) => {
        const meta = await sharp(h.storage.output(`renditions/${assetId}/${name}`)).metadata();
        return [meta.width, meta.height, meta.exif, meta.orientation];
      }),
    );
    expect(sizes).toEqual([
      [200, 133, undefined, undefined],
      [800, 533, undefined, undefined],
      [1600, 1067, undefined, undefined],
    ]);

    const manifest = validate('asset-manifest/v1', h.storage.json(manifestKey(assetId)));
    if (!manifest.ok) throw new Error(manifest.errors.join('; '));
    expect(manifest.value).toMatchObject({
      assetId,
      tenantId: 'acme',
      detected: { mime: 'image/jpeg', kind: 'image', ext: 'jpg', mismatch: false },
      image: { width: 1200, height: 1800, orientation: 6, format: 'jpeg', frames: 1, animated: false },
      source: {
        fileName: 'portrait.jpg',
        sequencer: '0055AED6DCD90281E5',
        declaredContentType: 'image/jpeg',
      },
      sha256: '9b344e9f0c869d8637ea22e672df9451d8d3cc1d2d0b291af3b284e538e5f124',
      processedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(manifest.value.renditions).toContainEqual(
      expect.objectContaining({
        preset: 'medium',
        format: 'webp',
        width: 800,
        height: 533,
        contentType: 'image/webp',
      }),
    );
    expect(manifest.value.dominantColor).toMatch(/^#[0-9a-f]{6}$/);
    expect(manifest.value.perceptualHash).toMatch(/^[0-9a-f]{16}$/);
    expect(manifest.value.placeholder?.type).toBe('thumbhash');
    expect(h.events.events).toEqual([
      expect.objectContaining({
        type: 'asset.processed',
        detail: { manifestKey: manifestKey(assetId), renditions: 7 },
      }),
    ]);
  });

  it('never upscales a small image', async () => {
    const h = harness(fixture('png/palette.png'));
    await processUpload(h.event(), h.deps);
    for (const name of ['thumb.webp', 'large.jpeg']) {
      const meta = await sharp(h.storage.output(`renditions/${assetId}/${name}`)).metadata();
      expect([meta.width, meta.height]).toEqual([68, 68]);
    }
  });

  it('fits a very tall image inside the largest side WebP can encode instead of failing', async () => {
    const tall = await sharp({ create: { width: 300, height: 20000, channels: 3, background: '#336699' } })
      .png()
      .toBuffer();
    const presets = parsePresets({
      presets: [
        { name: 'wide', width: 300, formats: [{ format: 'webp', effort: 0 }, { format: 'jpeg' }] },
        { name: 'thumb', width: 100, formats: [{ format: 'webp', effort: 0 }] },
      ],
    });
    const h = harness(tall, { fileName: 'infographic.png', deps: { presets } });
    await expect(processUpload(h.event(), h.deps)).resolves.toBe('succeeded');
    const manifest = h.storage.json(manifestKey(assetId)) as {
      renditions: Array<{ preset: string; format: string; width: number; height: number }>;
    };
    expect(manifest.renditions.map((r) => [r.preset, r.format, r.width, r.height])).toEqual([
      ['wide', 'webp', 246, 16383],
      ['wide', 'jpeg', 246, 16383],
      ['thumb', 'webp', 100, 6667],
    ]);
  }, 30_000);

  it('records a declared type that contradicts the bytes, and processes what the bytes are', async () => {
    const h = harness(fixture('png/palette.png'), { fileName: 'photo.jpg', contentType: 'image/jpeg' });
    await processUpload(h.event(), h.deps);
    expect(h.storage.json(manifestKey(assetId))).toMatchObject({
      source: { declaredContentType: 'image/jpeg' },
      detected: { mime: 'image/png', kind: 'image', mismatch: true },
    });
  });

  it('passes a text file through with its type, hash and a text extract', async () => {
    const h = harness('héllo, wörld\n', {
      fileName: 'notes.txt',
      contentType: 'text/markdown; charset=utf-8',
    });
    await expect(processUpload(h.event(), h.deps)).resolves.toBe('succeeded');
    expect(h.storage.processedKeys()).toEqual([manifestKey(assetId)]);
    expect(h.storage.json(manifestKey(assetId))).toMatchObject({
      detected: { mime: 'text/plain', kind: 'text', mismatch: false },
      renditions: [],
      text: { extract: 'héllo, wörld\n', truncated: false, encoding: 'utf-8' },
    });
  });

  it('passes an unknown binary file through: being unknown is never an error', async () => {
    const h = harness(Buffer.from([0x00, 0x01, 0x02, 0xfe, 0xff, 0x00, 0x10]), { fileName: 'blob.dat' });
    await expect(processUpload(h.event(), h.deps)).resolves.toBe('succeeded');
    expect(h.storage.json(manifestKey(assetId))).toMatchObject({
      detected: { mime: 'application/octet-stream', kind: 'other', mismatch: false },
      renditions: [],
    });
  });

  it('streams a file over the in-memory cap: hashed without being read whole', async () => {
    const text = 'line of text\n'.repeat(10_000); // 130,000 bytes
    const h = harness(text, { fileName: 'big.log', deps: { maxImageBytes: 1000 } });
    await expect(processUpload(h.event(), h.deps)).resolves.toBe('succeeded');
    expect(h.storage.reads).toBe(0);
    const manifest = h.storage.json(manifestKey(assetId)) as {
      sha256: string;
      text: { extract: string; truncated: boolean };
    };
    expect(manifest.sha256).toBe(createHash('sha256').update(text).digest('hex'));
    expect(Buffer.byteLength(manifest.text.extract)).toBe(64 * 1024);
    expect(manifest.text.truncated).toBe(true);
  });

  it('rejects an image over the size cap before decoding it', async () => {
    const h = harness(fixture('jpeg/orient-1.jpg'), { deps: { maxImageBytes: 1000 } });
    await expect(processUpload(h.event(), h.deps)).resolves.toBe('rejected');
    expect(h.storage.reads).toBe(0);
    expect(h.events.events[0]?.detail).toMatchObject({ reason: 'too-large' });
  });

  it('rejects an undecodable image into quarantine with a reason', async () => {
    const h = harness(fixture('broken/truncated.jpg'), { fileName: 'truncated.jpg' });
    await expect(processUpload(h.event(), h.deps)).resolves.toBe('rejected');
    expect(h.storage.ingestKeys()).toEqual([quarantineKey(h.location)]);
    expect(h.storage.processedKeys()).toEqual([rejectionKey(h.location.assetId)]);
    expect(h.storage.json(rejectionKey(h.location.assetId))).toMatchObject({
      reason: 'undecodable-image',
      quarantineKey: quarantineKey(h.location),
    });
    expect(h.events.events).toEqual([
      expect.objectContaining({
        type: 'asset.rejected',
        detail: expect.objectContaining({
          reason: 'undecodable-image',
          stage: 'process',
          quarantineKey: quarantineKey(h.location),
        }),
      }),
    ]);
  });

  it('rejects a pixel bomb before decoding it', async () => {
    const h = harness(fixture('broken/pixel-bomb-20000x14000.jpg'));
    await expect(processUpload(h.event(), h.deps)).resolves.toBe('rejected');
    expect(h.events.events[0]?.detail).toMatchObject({ reason: 'pixel-limit' });
  });

  it('skips an event whose original is already gone', async () => {
    const h = harness(fixture('png/palette.png'));
    h.storage.ingest.delete(h.key);
    await expect(processUpload(h.event(), h.deps)).resolves.toBe('skipped');
    expect(h.events.events).toEqual([]);
  });

  it('leaves a key outside the layout in place and logs it as rejected', async () => {
    const h = harness(fixture('png/palette.png'));
    h.storage.seed('uploads/stray.png', 'x');
    await expect(processUpload({ ...h.event(), key: 'uploads/stray.png' }, h.deps)).resolves.toBe('rejected');
    expect(h.storage.ingestKeys()).toContain('uploads/stray.png');
    expect(h.events.events).toEqual([]);
  });
});

describe('processUpload: idempotency and ordering', () => {
  it('does no work and writes nothing on a replay, and re-announces under the same event id', async () => {
    const h = harness(fixture('jpeg/gps-phone.jpg'), { fileName: 'a.jpg' });
    await expect(processUpload(h.event(), h.deps)).resolves.toBe('succeeded');
    const writes = [...h.storage.writes];
    const snapshot = new Map([...h.storage.processed].map(([k, v]) => [k, v.eTag]));
    const reads = h.storage.reads;

    await expect(processUpload(h.event(), h.deps)).resolves.toBe('skipped');
    await expect(processUpload(h.event(), h.deps)).resolves.toBe('skipped');

    expect(h.storage.writes).toEqual(writes);
    expect(h.storage.reads).toBe(reads);
    expect(new Map([...h.storage.processed].map(([k, v]) => [k, v.eTag]))).toEqual(snapshot);
    const ids = h.events.events.map((e) => `${e.type} ${e.id}`);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(1);
  });

  it('processes a newer write of the same key and drops renditions it no longer makes', async () => {
    const h = harness(fixture('png/palette.png'), { fileName: 'a.png' });
    await processUpload(h.event('0000000000000000A1'), h.deps);
    const newer = h.overwrite('now a text file\n', '0000000000000000B2', 'text/plain');
    await expect(processUpload(newer, h.deps)).resolves.toBe('succeeded');
    expect(h.storage.processedKeys()).toEqual([manifestKey(assetId)]);
    expect(h.storage.json(manifestKey(assetId))).toMatchObject({
      source: { sequencer: '0000000000000000B2' },
      detected: { kind: 'text' },
      renditions: [],
    });
  });

  it('never lets an older event clobber output of a newer write of the same key', async () => {
    const h = harness(fixture('png/palette.png'), { fileName: 'a.png' });
    const older = h.event('0000000000000000A1');
    const newer = h.overwrite(fixture('gif/static.gif'), '0000000000000000B2');
    await expect(processUpload(newer, h.deps)).resolves.toBe('succeeded');
    const writes = [...h.storage.writes];

    // The older event arrives late, and the newer bytes are what the key holds now.
    await expect(processUpload(older, h.deps)).resolves.toBe('skipped');
    // Even pretending its eTag matched (an event without one), the manifest's sequencer wins.
    await expect(processUpload({ ...older, eTag: undefined }, h.deps)).resolves.toBe('skipped');
    expect(h.storage.writes).toEqual(writes);
    expect(h.storage.json(manifestKey(assetId))).toMatchObject({
      source: { sequencer: '0000000000000000B2' },
      image: { format: 'gif' },
    });
  });

  it('a slow worker on an older write loses every compare-and-swap to a faster newer one', async () => {
    const h = harness(fixture('png/palette.png'), { fileName: 'a.png' });
    const older = h.event('0000000000000000A1');
    // While the older worker renders, the key is overwritten and the newer write is processed.
    let raced = false;
    h.storage.beforeWrite = () => {
      if (raced) return;
      raced = true;
      const newerStore = h.storage;
      newerStore.seed(h.key, fixture('gif/static.gif'));
      for (const key of [...ALL_RENDITIONS, manifestKey(assetId)]) {
        newerStore.processed.set(key, {
          body: Buffer.from('newer'),
          eTag: '"n"',
          sequencer: '0000000000000000B2',
        });
      }
    };
    await expect(processUpload(older, h.deps)).resolves.toBe('skipped');
    for (const key of [...ALL_RENDITIONS, manifestKey(assetId)]) {
      expect(h.storage.output(key)?.toString()).toBe('newer');
    }
    expect(h.events.events).toEqual([]);
  });

  it('skips an event for a key overwritten since (its ETag is no longer there)', async () => {
    const h = harness(fixture('png/palette.png'), { fileName: 'a.png' });
    const older = h.event('0000000000000000A1');
    h.overwrite(fixture('gif/static.gif'), '0000000000000000B2');
    await expect(processUpload(older, h.deps)).resolves.toBe('skipped');
    expect(h.storage.processedKeys()).toEqual([]);
  });

  it('rejects a second file under an asset id that already holds another', async () => {
    const h = harness(fixture('png/palette.png'), { fileName: 'a.png' });
    await processUpload(h.event(), h.deps);
    const otherKey = h.key.replace('a.png', 'b.png');
    const eTag = h.storage.seed(otherKey, fixture('gif/static.gif')).replace(/"/g, '');
    await expect(processUpload({ ...h.event(), key: otherKey, eTag }, h.deps)).resolves.toBe('rejected');
    expect(h.events.events.at(-1)?.detail).toMatchObject({ reason: 'asset-id-conflict' });
    expect(h.storage.ingestKeys()).toContain(otherKey.replace('uploads/', 'quarantine/'));
    expect(h.storage.json(manifestKey(assetId))).toMatchObject({ source: { key: h.key } });
  });

  it('a replayed rejection finds the original gone: it writes nothing and announces again under the same id', async () => {
    const h = harness(fixture('broken/corrupt.png'), { fileName: 'c.png' });
    await expect(processUpload(h.event(), h.deps)).resolves.toBe('rejected');
    const writes = [...h.storage.writes];
    await expect(processUpload(h.event(), h.deps)).resolves.toBe('skipped');
    expect(h.storage.writes).toEqual(writes);
    expect(new Set(h.events.events.map((e) => `${e.type} ${e.id}`)).size).toBe(1);
  });

  it('makes custom presets: cover crops, AVIF, PNG', async () => {
    const presets = parsePresets({
      presets: [
        {
          name: 'square',
          width: 120,
          height: 120,
          fit: 'cover',
          formats: [{ format: 'png' }, { format: 'avif' }],
        },
      ],
    });
    const h = harness(fixture('jpeg/orient-1.jpg'), { deps: { presets } });
    await processUpload(h.event(), h.deps);
    for (const format of ['png', 'avif']) {
      const meta = await sharp(h.storage.output(renditionKey(assetId, 'square', format))).metadata();
      expect([meta.width, meta.height]).toEqual([120, 120]);
    }
  });
});

describe('processUpload: reprocessing (S3 Batch Operations)', () => {
  it('remakes renditions with the current presets, drops the ones no preset makes, and announces anew', async () => {
    const h = harness(fixture('jpeg/orient-1.jpg'), { fileName: 'a.jpg' });
    await processUpload(h.event(), h.deps);
    const presets = parsePresets({
      presets: [{ name: 'medium', width: 640, formats: [{ format: 'webp' }] }],
    });
    const later = { ...h.deps, presets, now: () => new Date('2026-02-01T00:00:00.000Z') };

    await expect(processUpload(h.event(), later, { reprocess: true })).resolves.toBe('succeeded');
    expect(h.storage.processedKeys()).toEqual([
      manifestKey(assetId),
      renditionKey(assetId, 'medium', 'webp'),
    ]);
    expect((await sharp(h.storage.output(renditionKey(assetId, 'medium', 'webp'))).metadata()).width).toBe(
      640,
    );
    expect(h.storage.json(manifestKey(assetId))).toMatchObject({ processedAt: '2026-02-01T00:00:00.000Z' });
    const [first, second] = h.events.events;
    expect(second?.type).toBe('asset.processed');
    expect(second?.id).not.toBe(first?.id);
  });

  it('still never replaces output of a newer write', async () => {
    const h = harness(fixture('png/palette.png'), { fileName: 'a.png' });
    const older = h.event('0000000000000000A1');
    const newer = h.overwrite(fixture('gif/static.gif'), '0000000000000000B2');
    await processUpload(newer, h.deps);
    await expect(processUpload({ ...older, eTag: undefined }, h.deps, { reprocess: true })).resolves.toBe(
      'skipped',
    );
    expect(h.storage.json(manifestKey(assetId))).toMatchObject({ image: { format: 'gif' } });
  });
});

describe('assertTimeLeft', () => {
  it('defers a record when its invocation has less time left than one record may need', () => {
    expect(() => assertTimeLeft({ getRemainingTimeInMillis: () => 10_000 }, 25_000)).toThrow(DeadlineError);
    expect(() => assertTimeLeft({ getRemainingTimeInMillis: () => 30_000 }, 25_000)).not.toThrow();
    expect(() => assertTimeLeft(undefined, 25_000)).not.toThrow();
  });
});
