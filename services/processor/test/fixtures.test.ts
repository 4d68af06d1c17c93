import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type AssetManifest, validate } from '@sluice/contracts';
import { manifestKey, rejectionKey } from '@sluice/runtime';
import exifr from 'exifr';
import sharp from 'sharp';
import { processUpload } from '../src/app/process-upload';
import type { RejectionReason } from '../src/domain/rejection';
import { FIXTURES, fixture, harness } from './support/harness';

/** /work/shared/fixtures/MANIFEST.tsv: every fixture with what its bytes are. */
interface FixtureRow {
  file: string;
  bytes: number;
  sha256: string;
  format: string;
  width: number;
  height: number;
  pages: string;
  orientation: string;
  hasGps: boolean;
  notes: string;
}

const rows: FixtureRow[] = readFileSync(resolve(FIXTURES, 'MANIFEST.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => {
    const [file, bytes, sha256, , , , format, width, height, pages, orientation, hasGps, notes] =
      line.split('\t');
    return {
      file: file as string,
      bytes: Number(bytes),
      sha256: sha256 as string,
      format: format as string,
      width: Number(width),
      height: Number(height),
      pages: pages ?? '',
      orientation: orientation ?? '',
      hasGps: hasGps === 'yes',
      notes: notes ?? '',
    };
  });

/** Every fixture the processor refuses, and why. Everything else must be processed. */
const REJECTED: Record<string, RejectionReason> = {
  'avif/sequence-avis.avif': 'unsupported-image-format',
  'heic/small.heif': 'unsupported-image-format',
  'heic/iphone-gps-orient6.heic': 'unsupported-image-format',
  'heic/collection-4.heic': 'unsupported-image-format',
  'svg/simple.svg': 'unsafe-image-format',
  'svg/external-ref-embedded.svg': 'unsafe-image-format',
  'broken/truncated.jpg': 'undecodable-image',
  'broken/corrupt-header.jpg': 'undecodable-image',
  'broken/corrupt-data.jpg': 'undecodable-image',
  'broken/empty.jpg': 'empty-file',
  'broken/truncated.png': 'undecodable-image',
  'broken/corrupt.png': 'undecodable-image',
  'broken/pixel-bomb-20000x14000.jpg': 'pixel-limit',
  'broken/pixel-bomb-65536x65536.png': 'pixel-limit',
  'other/bitmap.bmp': 'unsupported-image-format',
};

/** Files that are not images pass through with their type, and a text extract when they are text. */
const PASSED_THROUGH: Record<string, { mime: string; kind: string; text: boolean }> = {
  'other/document.pdf': { mime: 'application/pdf', kind: 'document', text: false },
  'other/readme.txt': { mime: 'text/plain', kind: 'text', text: true },
  'other/package.json': { mime: 'application/json', kind: 'text', text: true },
  'broken/json-named-webp.webp': { mime: 'application/json', kind: 'text', text: true },
};

const EXPECTED_RENDITIONS = [
  'large.jpeg',
  'large.webp',
  'medium.jpeg',
  'medium.webp',
  'thumb.avif',
  'thumb.jpeg',
  'thumb.webp',
];
const PRESET_WIDTH: Record<string, number> = { thumb: 200, medium: 800, large: 1600 };

function declaredType(file: string): string {
  const ext = file.split('.').pop() ?? '';
  return (
    {
      jpg: 'image/jpeg',
      png: 'image/png',
      gif: 'image/gif',
      webp: 'image/webp',
      avif: 'image/avif',
      tif: 'image/tiff',
    }[ext] ?? 'application/octet-stream'
  );
}

describe('every fixture in MANIFEST.tsv', () => {
  it('is accounted for: a fixture whose decode fails in MANIFEST.tsv is expected to be rejected', () => {
    expect(rows.length).toBeGreaterThan(50);
    for (const row of rows) {
      if (row.notes.includes('decode FAILED') && !(row.file in PASSED_THROUGH)) {
        expect([row.file, REJECTED[row.file] !== undefined]).toEqual([row.file, true]);
      }
    }
    for (const file of [...Object.keys(REJECTED), ...Object.keys(PASSED_THROUGH)]) {
      expect(rows.map((r) => r.file)).toContain(file);
    }
  });

  describe.each(rows.filter((r) => REJECTED[r.file]).map((r) => [r.file, r] as const))('%s', (file, row) => {
    it(`is rejected as ${REJECTED[file]}, kept in quarantine, with only the rejection record written`, async () => {
      const h = harness(fixture(file), { fileName: file.split('/')[1], contentType: declaredType(file) });
      await expect(processUpload(h.event(), h.deps)).resolves.toBe('rejected');
      const [event] = h.events.events;
      expect(event?.type).toBe('asset.rejected');
      expect(event?.detail).toMatchObject({ reason: REJECTED[file], stage: 'process' });
      expect(String((event?.detail as { message?: string } | undefined)?.message).length).toBeGreaterThan(10);
      expect(h.storage.ingestKeys()).toEqual([
        `quarantine/acme/${h.location.assetId}/${h.location.fileName}`,
      ]);
      expect(h.storage.ingest.values().next().value?.body.length).toBe(row.bytes);
      expect(h.storage.processedKeys()).toEqual([rejectionKey(h.location.assetId)]);
      expect(validate('rejection-record/v1', h.storage.json(rejectionKey(h.location.assetId)))).toMatchObject(
        {
          ok: true,
          value: { reason: REJECTED[file], tenantId: 'acme' },
        },
      );
    });
  });

  describe.each(rows.filter((r) => PASSED_THROUGH[r.file]).map((r) => [r.file, r] as const))(
    '%s',
    (file, row) => {
      it('passes through with its type, size and SHA-256', async () => {
        const expected = PASSED_THROUGH[file];
        const h = harness(fixture(file), { fileName: file.split('/')[1], contentType: declaredType(file) });
        await expect(processUpload(h.event(), h.deps)).resolves.toBe('succeeded');
        const manifest = h.storage.json(manifestKey(h.location.assetId)) as AssetManifest;
        expect(validate('asset-manifest/v1', manifest).ok).toBe(true);
        expect(manifest).toMatchObject({
          sha256: row.sha256,
          source: { size: row.bytes },
          detected: { mime: expected?.mime, kind: expected?.kind },
          renditions: [],
        });
        expect(manifest.image).toBeUndefined();
        if (expected?.text) {
          expect(manifest.text?.extract).toBe(fixture(file).toString('utf8'));
          expect(manifest.text?.truncated).toBe(false);
        } else {
          expect(manifest.text).toBeUndefined();
        }
        // A .webp that holds JSON: the declared type is recorded as a mismatch, never trusted.
        if (file.endsWith('.webp')) expect(manifest.detected.mismatch).toBe(true);
      });
    },
  );

  const images = rows.filter((r) => !REJECTED[r.file] && !PASSED_THROUGH[r.file]);
  describe.each(images.map((r) => [r.file, r] as const))('%s', (file, row) => {
    it('is processed with correct metadata and clean renditions', async () => {
      const h = harness(fixture(file), { fileName: file.split('/')[1], contentType: declaredType(file) });
      await expect(processUpload(h.event(), h.deps)).resolves.toBe('succeeded');
      const doc = h.storage.json(manifestKey(h.location.assetId));
      const result = validate('asset-manifest/v1', doc);
      if (!result.ok) throw new Error(result.errors.join('; '));
      const manifest = result.value;

      // Facts from the bytes, checked against the fixture catalogue.
      expect(manifest.sha256).toBe(row.sha256);
      expect(manifest.source.size).toBe(row.bytes);
      expect(manifest.detected.kind).toBe('image');
      expect(manifest.detected.mismatch).toBe(false);
      const frames = row.format === 'gif' || row.format === 'webp' ? Number(row.pages || 1) : undefined;
      expect(manifest.image).toMatchObject({
        width: row.width,
        height: row.height,
        format: row.format === 'heif' ? 'avif' : row.format,
        orientation: Math.max(1, Number(row.orientation)),
        ...(frames ? { frames, animated: frames > 1 } : {}),
        ...(row.format === 'tiff' || row.format === 'heif'
          ? Number(row.pages) > 1
            ? { pages: Number(row.pages) }
            : {}
          : {}),
      });
      expect(manifest.dominantColor).toMatch(/^#[0-9a-f]{6}$/);
      expect(manifest.perceptualHash).toMatch(/^[0-9a-f]{16}$/);
      expect(Buffer.from(manifest.placeholder?.value ?? '', 'base64').length).toBeGreaterThan(4);

      // GPS is in no public field, whatever the original carried (the file name may say "gps").
      const { source: _source, ...facts } = manifest;
      expect(JSON.stringify(facts)).not.toMatch(/gps|latitude|longitude/i);
      const coordinates = /GPS (-?\d+\.\d+),(-?\d+\.\d+)/.exec(row.notes);
      expect(coordinates !== null).toBe(row.hasGps);
      for (const value of coordinates?.slice(1) ?? []) {
        expect(JSON.stringify(facts)).not.toContain(value.slice(0, 5));
      }

      // Every rendition: the right format, never upscaled, auto-oriented, no metadata at all.
      expect(manifest.renditions.map((r) => `${r.preset}.${r.format}`).sort()).toEqual(EXPECTED_RENDITIONS);
      const swap = (manifest.image?.orientation ?? 1) >= 5;
      const displayed = swap ? { w: row.height, h: row.width } : { w: row.width, h: row.height };
      for (const r of manifest.renditions) {
        const body = h.storage.output(r.key) as Buffer;
        expect(body.length).toBe(r.bytes);
        const meta = await sharp(body).metadata();
        expect({
          format: meta.format === 'heif' ? 'avif' : meta.format,
          width: meta.width,
          exif: meta.exif,
          xmp: meta.xmp,
          iptc: meta.iptc,
          icc: meta.icc,
          orientation: meta.orientation,
        }).toEqual({
          format: r.format,
          width: Math.min(PRESET_WIDTH[r.preset] ?? 0, displayed.w),
          exif: undefined,
          xmp: undefined,
          iptc: undefined,
          icc: undefined,
          orientation: undefined,
        });
        // Aspect ratio of the displayed image, within rounding.
        expect(Math.abs(r.height - (r.width * displayed.h) / displayed.w)).toBeLessThanOrEqual(1);
        expect(await exifr.gps(body).catch(() => undefined)).toBeUndefined();
      }
    });
  });
});
