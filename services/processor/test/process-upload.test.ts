import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { validate } from '@sluice/contracts';
import {
  createLogger,
  manifestKey,
  quarantineKey,
  rejectionKey,
  renditionKey,
  type S3ObjectEvent,
  uploadKey,
} from '@sluice/runtime';
import { InMemoryObjectStore, RecordingPublisher } from '@sluice/runtime/testing';
import sharp from 'sharp';
import { SharpImageRenderer } from '../src/adapters/sharp-image-renderer';
import { type ProcessUploadDeps, processUpload } from '../src/app/process-upload';
import { DEFAULT_PRESETS } from '../src/domain/presets';

const FIXTURES = resolve(__dirname, '../../../../shared/fixtures');
const INGEST = 'ingest';
const PROCESSED = 'processed';
const assetId = '0b6a7c1e-2f4d-4e8a-9c3b-5d6e7f8a9b0c';

function setup(fixture: string, fileName = 'upload.bin') {
  const objects = new InMemoryObjectStore();
  const location = { tenantId: 'acme', assetId, fileName };
  objects.seed(INGEST, uploadKey(location), readFileSync(resolve(FIXTURES, fixture)), 'image/jpeg');
  const events = new RecordingPublisher();
  const logger = createLogger('processor-test');
  logger.setLogLevel('SILENT');
  const deps: ProcessUploadDeps = {
    objects,
    renderer: new SharpImageRenderer(),
    events,
    logger,
    presets: DEFAULT_PRESETS,
    ingestBucket: INGEST,
    processedBucket: PROCESSED,
  };
  const event: S3ObjectEvent = {
    eventName: 'ObjectCreated:Put',
    eventTime: '2026-01-01T00:00:00.000Z',
    bucket: INGEST,
    key: uploadKey(location),
    sequencer: '0055AED6DCD90281E5',
  };
  return { objects, events, deps, event, location };
}

describe('processUpload', () => {
  it('renders an auto-oriented, metadata-free WebP and writes a valid manifest', async () => {
    const { objects, events, deps, event } = setup('jpeg/orient-6.jpg', 'portrait.jpg');
    await expect(processUpload(event, deps)).resolves.toBe('succeeded');

    const rendition = await objects.get(PROCESSED, renditionKey(assetId, 'medium', 'webp'));
    const meta = await sharp(rendition?.body).metadata();
    // Stored 1200x1800 with orientation 6: displayed landscape, so 800 wide after rotation.
    expect([meta.format, meta.width, meta.height, meta.exif]).toEqual(['webp', 800, 533, undefined]);

    const manifest = validate('asset-manifest/v1', await objects.getJson(PROCESSED, manifestKey(assetId)));
    expect(manifest.ok).toBe(true);
    if (!manifest.ok) return;
    expect(manifest.value).toMatchObject({
      assetId,
      tenantId: 'acme',
      detected: { mime: 'image/jpeg', kind: 'image', mismatch: false },
      image: { width: 1200, height: 1800, orientation: 6 },
      source: { fileName: 'portrait.jpg', sequencer: '0055AED6DCD90281E5' },
    });
    expect(manifest.value.sha256).toBe('9b344e9f0c869d8637ea22e672df9451d8d3cc1d2d0b291af3b284e538e5f124');
    expect(events.events.map((e) => e.type)).toEqual(['asset.processed']);
  });

  it('never upscales a small image', async () => {
    const { objects, deps, event } = setup('png/palette.png');
    await processUpload(event, deps);
    const meta = await sharp(
      (await objects.get(PROCESSED, renditionKey(assetId, 'medium', 'webp')))?.body,
    ).metadata();
    expect([meta.width, meta.height]).toEqual([68, 68]);
  });

  it('rejects an undecodable image into quarantine with a reason', async () => {
    const { objects, events, deps, event, location } = setup('broken/truncated.jpg', 'truncated.jpg');
    await expect(processUpload(event, deps)).resolves.toBe('rejected');
    expect(objects.keys(INGEST)).toEqual([quarantineKey(location)]);
    expect(objects.keys(PROCESSED)).toEqual([rejectionKey(assetId)]);
    expect(
      validate('rejection-record/v1', await objects.getJson(PROCESSED, rejectionKey(assetId))),
    ).toMatchObject({
      ok: true,
      value: { reason: 'undecodable-image', tenantId: 'acme', quarantineKey: quarantineKey(location) },
    });
    expect(events.events).toEqual([
      expect.objectContaining({
        type: 'asset.rejected',
        detail: expect.objectContaining({
          reason: 'undecodable-image',
          quarantineKey: quarantineKey(location),
        }),
      }),
    ]);
  });

  it('rejects a pixel bomb before decoding it', async () => {
    const { events, deps, event } = setup('broken/pixel-bomb-20000x14000.jpg');
    await expect(processUpload(event, deps)).resolves.toBe('rejected');
    expect(events.events[0]?.detail).toMatchObject({ reason: 'pixel-limit' });
  });

  it('skips an event whose original is already gone', async () => {
    const { objects, events, deps, event } = setup('png/palette.png');
    await objects.delete(INGEST, event.key);
    await expect(processUpload(event, deps)).resolves.toBe('skipped');
    expect(events.events).toEqual([]);
  });

  it('leaves a key outside the layout in place and logs it as rejected', async () => {
    const { objects, deps, event } = setup('png/palette.png');
    objects.seed(INGEST, 'uploads/stray.png', 'x');
    await expect(processUpload({ ...event, key: 'uploads/stray.png' }, deps)).resolves.toBe('rejected');
    expect(objects.keys(INGEST)).toContain('uploads/stray.png');
  });
});
