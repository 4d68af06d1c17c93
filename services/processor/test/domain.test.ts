import { apngFrameCount } from '../src/domain/apng';
import { deterministicEventId } from '../src/domain/event-id';
import { exifDateToIso, toManifestExif } from '../src/domain/exif';
import { detectFileType, kindOf } from '../src/domain/file-type';
import { declaredMismatch, normalizeDeclaredType } from '../src/domain/media-type';
import { mayReplace, orderAgainst } from '../src/domain/ordering';
import { differenceHash, hammingDistance } from '../src/domain/perceptual-hash';
import { DEFAULT_PRESETS, PresetsError, parsePresets } from '../src/domain/presets';
import { decodeText, TEXT_EXTRACT_BYTES, textExtract } from '../src/domain/text';
import { fixture } from './support/harness';

const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

describe('detectFileType', () => {
  it.each([
    ['{"a": [1, 2]}', 'application/json', 'text'],
    ['[1, 2', 'text/plain', 'text'],
    [
      '<?xml version="1.0"?>\n<!-- c -->\n<svg xmlns="http://www.w3.org/2000/svg"/>',
      'image/svg+xml',
      'image',
    ],
    ['  <svg viewBox="0 0 1 1"></svg>', 'image/svg+xml', 'image'],
    ['<?xml version="1.0"?><feed/>', 'application/xml', 'text'],
    ['<!DOCTYPE html><html></html>', 'text/html', 'text'],
    ['just some words\n', 'text/plain', 'text'],
  ])('tells text formats apart by content: %j', (text, mime, kind) => {
    expect(detectFileType(utf8(text), true)).toMatchObject({ mime, kind });
  });

  it('uses magic numbers, never names: a PDF, a ZIP, a broken PNG, binary junk', () => {
    expect(detectFileType(fixture('other/document.pdf'), true)).toMatchObject({
      mime: 'application/pdf',
      kind: 'document',
    });
    const zip = Buffer.from('504b0304140000000000000000000000000000000000000000000000000000', 'hex');
    expect(detectFileType(zip, true).kind).toBe('archive');
    expect(detectFileType(fixture('broken/corrupt.png'), true)).toMatchObject({
      mime: 'image/png',
    });
    expect(detectFileType(new Uint8Array([0, 1, 2, 3, 0xff]), true)).toEqual({
      mime: 'application/octet-stream',
      kind: 'other',
    });
    expect(detectFileType(new Uint8Array(0), true)).toMatchObject({
      mime: 'application/x-empty',
    });
  });

  it('does not take a JSON document that mentions "WEBP" for a WebP', () => {
    expect(detectFileType(fixture('broken/json-named-webp.webp'), true)).toMatchObject({
      mime: 'application/json',
    });
  });

  it('reads ISO-BMFF brands, ZIP-based formats and other containers', () => {
    const ftyp = (major: string, ...compatible: string[]) => {
      const brands = [major, '\0\0\0\0', ...compatible].join('');
      const box = Buffer.alloc(8 + brands.length);
      box.writeUInt32BE(box.length, 0);
      box.write('ftyp', 4, 'latin1');
      box.write(brands, 8, 'latin1');
      return box;
    };
    expect(detectFileType(ftyp('avif', 'mif1', 'miaf'), true).mime).toBe('image/avif');
    expect(detectFileType(ftyp('mif1', 'avif'), true).mime).toBe('image/heif');
    expect(detectFileType(ftyp('heic', 'mif1'), true).mime).toBe('image/heic');
    expect(detectFileType(ftyp('isom', 'mp41'), true)).toMatchObject({ mime: 'video/mp4', kind: 'other' });
    expect(detectFileType(ftyp('qt  '), true).mime).toBe('video/quicktime');

    const zipEntry = (name: string, content = '') => {
      const header = Buffer.alloc(30);
      header.write('PK\x03\x04', 0, 'latin1');
      header.writeUInt32LE(content.length, 18);
      header.writeUInt16LE(name.length, 26);
      return Buffer.concat([header, Buffer.from(name, 'latin1'), Buffer.from(content, 'latin1')]);
    };
    const docx = Buffer.concat([
      zipEntry('[Content_Types].xml', '<Types/>'),
      zipEntry('word/document.xml', '<w/>'),
    ]);
    expect(detectFileType(docx, true)).toMatchObject({ ext: 'docx', kind: 'document' });
    const epub = Buffer.concat([
      zipEntry('mimetype', 'application/epub+zip'),
      zipEntry('META-INF/container.xml'),
    ]);
    expect(detectFileType(epub, true)).toMatchObject({ mime: 'application/epub+zip', kind: 'document' });
    expect(detectFileType(zipEntry('notes.txt', 'hi'), true)).toMatchObject({
      mime: 'application/zip',
      kind: 'archive',
    });

    const tar = Buffer.alloc(512);
    tar.write('a.txt', 0);
    tar.write('ustar', 257);
    expect(detectFileType(tar, true)).toMatchObject({ mime: 'application/x-tar', kind: 'archive' });
    expect(detectFileType(Buffer.from([0x1f, 0x8b, 0x08, 0x00]), true).mime).toBe('application/gzip');
    expect(detectFileType(Buffer.from('ID3\x04\x00', 'latin1'), true).mime).toBe('audio/mpeg');
    expect(detectFileType(fixture('png/apng-animated.png'), true).mime).toBe('image/apng');
    expect(detectFileType(fixture('other/bitmap.bmp'), true).mime).toBe('image/bmp');
    expect(detectFileType(fixture('tiff/multipage-fax.tif'), true).mime).toBe('image/tiff');
    expect(detectFileType(fixture('avif/sequence-avis.avif'), true).mime).toBe('image/avif');
  });

  it('lets text win over short signatures: a text file that starts with "BM" or "MZ" is text', () => {
    expect(detectFileType(utf8('BM is the start of this note\n'), true).mime).toBe('text/plain');
    expect(detectFileType(utf8('MZ: initials\n'), true).mime).toBe('text/plain');
  });

  it('maps media types to kinds', () => {
    expect(
      [
        'image/avif',
        'text/csv',
        'application/x-ndjson',
        'application/epub+zip',
        'application/gzip',
        'video/mp4',
      ].map(kindOf),
    ).toEqual(['image', 'text', 'text', 'document', 'archive', 'other']);
    expect(kindOf('application/vnd.openxmlformats-officedocument.wordprocessingml.document')).toBe(
      'document',
    );
  });
});

describe('text extracts', () => {
  it('decodes UTF-8, UTF-16 with a BOM, and refuses binary', () => {
    expect(decodeText(utf8('héllo'), true)).toMatchObject({ text: 'héllo', encoding: 'utf-8' });
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('hé', 'utf16le')]);
    expect(decodeText(le, true)).toMatchObject({ text: 'hé', encoding: 'utf-16le' });
    const be = Buffer.from([0xfe, 0xff, 0x00, 0x68, 0x00, 0xe9]);
    expect(decodeText(be, true)).toMatchObject({ text: 'hé', encoding: 'utf-16be' });
    expect(decodeText(new Uint8Array([0x68, 0x00, 0x69]), true)).toBeNull();
    expect(decodeText(new Uint8Array([0xc3, 0x28]), true)).toBeNull();
  });

  it('tolerates a character cut off by the read window only when the window is not the whole file', () => {
    const cut = utf8('ab€').subarray(0, 4); // € is 3 bytes: 2 of them in the window
    expect(decodeText(cut, false)).toMatchObject({ text: 'ab', bytesUsed: 2 });
    expect(decodeText(cut, true)).toBeNull();
  });

  it('keeps at most 64 KiB of UTF-8, never splitting a character, and says when it cut', () => {
    const long = 'é'.repeat(40_000); // 80,000 bytes
    const extract = textExtract(utf8(long).subarray(0, TEXT_EXTRACT_BYTES + 4), 80_000);
    expect(extract?.truncated).toBe(true);
    expect(Buffer.byteLength(extract?.extract ?? '')).toBe(TEXT_EXTRACT_BYTES);
    expect(extract?.extract).toBe('é'.repeat(TEXT_EXTRACT_BYTES / 2));
    expect(textExtract(utf8('short'), 5)).toEqual({ extract: 'short', truncated: false, encoding: 'utf-8' });
  });
});

describe('EXIF mapping', () => {
  it('keeps the camera facts, cleans strings, and drops everything else', () => {
    expect(
      toManifestExif({
        Make: 'Canon\u0000\u0000',
        Model: '  Canon EOS 40D ',
        LensModel: 'EF 24-70mm',
        DateTimeOriginal: '2008:05:30 15:56:01',
        SubSecTimeOriginal: '25',
        OffsetTimeOriginal: '+02:00',
        ExposureTime: 0.00625,
        FNumber: 7.1,
        ISO: [100, 100],
        FocalLength: 135,
        GPSLatitude: 43.4,
        SerialNumber: '123',
      }),
    ).toEqual({
      make: 'Canon',
      model: 'Canon EOS 40D',
      lens: 'EF 24-70mm',
      takenAt: '2008-05-30T15:56:01.25+02:00',
      exposureTime: 0.00625,
      fNumber: 7.1,
      iso: 100,
      focalLength: 135,
    });
  });

  it('drops impossible or placeholder values', () => {
    expect(
      toManifestExif({ Make: '   ', ISO: 0, FNumber: -1, DateTimeOriginal: '0000:00:00 00:00:00' }),
    ).toBeUndefined();
    expect(exifDateToIso('2019:02:30 10:00:00')).toBeUndefined();
    expect(exifDateToIso('2019:02:28 24:00:00')).toBeUndefined();
    expect(exifDateToIso('2019:02:28 10:00:00', undefined, 'local')).toBe('2019-02-28T10:00:00');
  });
});

describe('perceptual hash', () => {
  it('sets a bit where a pixel is brighter than its right neighbour', () => {
    const grey = new Uint8Array(72);
    for (let row = 0; row < 8; row++) for (let col = 0; col < 9; col++) grey[row * 9 + col] = 255 - col * 10;
    expect(differenceHash(grey)).toBe('ffffffffffffffff');
    expect(differenceHash(new Uint8Array(72))).toBe('0000000000000000');
    expect(() => differenceHash(new Uint8Array(64))).toThrow(RangeError);
    expect(hammingDistance('ffffffffffffffff', '0000000000000000')).toBe(64);
    expect(hammingDistance('f0f0000000000001', 'f0f0000000000000')).toBe(1);
  });
});

describe('ordering', () => {
  const key = 'uploads/acme/a/b.jpg';
  it('decides replay, stale, newer and conflict from the manifest source', () => {
    expect(orderAgainst(null, { key, sequencer: '0A' })).toEqual({ action: 'process' });
    expect(orderAgainst({ key, sequencer: '0A' }, { key, sequencer: '0a' })).toEqual({ action: 'replay' });
    expect(orderAgainst({ key, sequencer: '0B' }, { key, sequencer: '0A' })).toEqual({
      action: 'stale',
      newerSequencer: '0B',
    });
    // Sequencers of different lengths compare as numbers.
    expect(orderAgainst({ key, sequencer: 'FF' }, { key, sequencer: '0100' })).toEqual({ action: 'process' });
    expect(orderAgainst({ key: 'uploads/acme/a/c.jpg', sequencer: '0A' }, { key, sequencer: '0B' })).toEqual({
      action: 'conflict',
      otherKey: 'uploads/acme/a/c.jpg',
    });
    expect([mayReplace(undefined, '01'), mayReplace('01', '01'), mayReplace('02', '01')]).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('derives stable, distinct, UUID-shaped event ids', () => {
    const a = deterministicEventId('asset.processed', 'id', 'key', '0A');
    expect(a).toBe(deterministicEventId('asset.processed', 'id', 'key', '0A'));
    expect(a).not.toBe(deterministicEventId('asset.processed', 'id', 'key', '0B'));
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('declared types', () => {
  it('ignores undeclared types and parameters, and forgives aliases and text subtypes', () => {
    expect(normalizeDeclaredType('binary/octet-stream')).toBeUndefined();
    expect(normalizeDeclaredType('Text/Plain; charset=utf-8')).toBe('text/plain');
    expect(normalizeDeclaredType('not a type')).toBeUndefined();
    const jpeg = { mime: 'image/jpeg', kind: 'image' as const };
    expect(declaredMismatch('image/jpg', jpeg)).toBe(false);
    expect(declaredMismatch('image/png', jpeg)).toBe(true);
    expect(declaredMismatch(undefined, jpeg)).toBe(false);
    expect(declaredMismatch('text/csv', { mime: 'text/plain', kind: 'text' })).toBe(false);
    expect(declaredMismatch('image/png', { mime: 'image/apng', kind: 'image' })).toBe(false);
  });
});

describe('presets', () => {
  it('ships thumb 200, medium 800 and large 1600 in WebP and JPEG, AVIF for the thumb', () => {
    expect(
      DEFAULT_PRESETS.map((p) => `${p.name} ${p.width} ${p.formats.map((f) => f.format).join('+')}`),
    ).toEqual(['thumb 200 webp+jpeg+avif', 'medium 800 webp+jpeg', 'large 1600 webp+jpeg']);
  });

  it('refuses an invalid or ambiguous preset list with the reason', () => {
    expect(() => parsePresets({ presets: [{ name: 'x', width: 10, formats: [{ format: 'gif' }] }] })).toThrow(
      /formats\/0\/format must be one of/,
    );
    const twice = { name: 'x', width: 10, formats: [{ format: 'webp' }] };
    expect(() => parsePresets({ presets: [twice, twice] })).toThrow(
      new PresetsError('Invalid rendition presets: "x" is named twice'),
    );
    expect(() =>
      parsePresets({
        presets: [{ name: 'x', width: 10, formats: [{ format: 'webp' }, { format: 'webp' }] }],
      }),
    ).toThrow(/lists webp twice/);
  });
});

describe('APNG', () => {
  it('counts the frames of an animated PNG and none for a still one', () => {
    expect(apngFrameCount(fixture('png/apng-animated.png'))).toBe(20);
    expect(apngFrameCount(fixture('png/palette.png'))).toBeUndefined();
  });
});
