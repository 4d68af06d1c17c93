import type { AssetKind } from '@sluice/contracts';
import { apngFrameCount } from './apng';
import { decodeText } from './text';

/** What a file is, judged from its bytes alone: never from its name or declared content type. */
export interface DetectedFileType {
  mime: string;
  /** Canonical extension without the dot, when the type has one. */
  ext?: string;
  kind: AssetKind;
}

/** Leading bytes detection reads (and the text extract needs): the whole file when smaller. */
export const DETECTION_BYTES = 64 * 1024;

type Type = Omit<DetectedFileType, 'kind'>;
type Signature = { at: number; bytes: number[] | string };

/**
 * Magic numbers, checked in order. A small table of our own instead of a detection library: the
 * processor needs the image types exactly (what libvips may decode) and the common rest well
 * enough to classify; and it must bundle as one ESM file without dynamic `require` (file-type's ZIP
 * support pulls `debug`, which does one).
 */
const SIGNATURES: ReadonlyArray<{ all: Signature[]; type: Type }> = [
  { all: [{ at: 0, bytes: [0xff, 0xd8, 0xff] }], type: { mime: 'image/jpeg', ext: 'jpg' } },
  {
    all: [{ at: 0, bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] }],
    type: { mime: 'image/png', ext: 'png' },
  },
  { all: [{ at: 0, bytes: 'GIF87a' }], type: { mime: 'image/gif', ext: 'gif' } },
  { all: [{ at: 0, bytes: 'GIF89a' }], type: { mime: 'image/gif', ext: 'gif' } },
  {
    all: [
      { at: 0, bytes: 'RIFF' },
      { at: 8, bytes: 'WEBP' },
    ],
    type: { mime: 'image/webp', ext: 'webp' },
  },
  { all: [{ at: 0, bytes: [0x49, 0x49, 0x2a, 0x00] }], type: { mime: 'image/tiff', ext: 'tif' } },
  { all: [{ at: 0, bytes: [0x4d, 0x4d, 0x00, 0x2a] }], type: { mime: 'image/tiff', ext: 'tif' } },
  { all: [{ at: 0, bytes: [0x49, 0x49, 0x2b, 0x00] }], type: { mime: 'image/tiff', ext: 'tif' } },
  { all: [{ at: 0, bytes: '8BPS' }], type: { mime: 'image/vnd.adobe.photoshop', ext: 'psd' } },
  { all: [{ at: 0, bytes: [0xff, 0x0a] }], type: { mime: 'image/jxl', ext: 'jxl' } },
  { all: [{ at: 4, bytes: 'JXL \r\n\x87\n' }], type: { mime: 'image/jxl', ext: 'jxl' } },
  { all: [{ at: 4, bytes: 'jP  \r\n\x87\n' }], type: { mime: 'image/jp2', ext: 'jp2' } },
  { all: [{ at: 0, bytes: '%PDF-' }], type: { mime: 'application/pdf', ext: 'pdf' } },
  { all: [{ at: 0, bytes: '%!PS' }], type: { mime: 'application/postscript', ext: 'ps' } },
  { all: [{ at: 0, bytes: '{\\rtf' }], type: { mime: 'application/rtf', ext: 'rtf' } },
  {
    all: [{ at: 0, bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1] }],
    type: { mime: 'application/x-cfb', ext: 'cfb' },
  },
  { all: [{ at: 0, bytes: [0x1f, 0x8b] }], type: { mime: 'application/gzip', ext: 'gz' } },
  { all: [{ at: 0, bytes: 'BZh' }], type: { mime: 'application/x-bzip2', ext: 'bz2' } },
  {
    all: [{ at: 0, bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] }],
    type: { mime: 'application/x-xz', ext: 'xz' },
  },
  {
    all: [{ at: 0, bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] }],
    type: { mime: 'application/x-7z-compressed', ext: '7z' },
  },
  { all: [{ at: 0, bytes: 'Rar!\x1a\x07' }], type: { mime: 'application/vnd.rar', ext: 'rar' } },
  { all: [{ at: 0, bytes: [0x28, 0xb5, 0x2f, 0xfd] }], type: { mime: 'application/zstd', ext: 'zst' } },
  { all: [{ at: 257, bytes: 'ustar' }], type: { mime: 'application/x-tar', ext: 'tar' } },
  { all: [{ at: 0, bytes: 'ID3' }], type: { mime: 'audio/mpeg', ext: 'mp3' } },
  { all: [{ at: 0, bytes: 'fLaC' }], type: { mime: 'audio/flac', ext: 'flac' } },
  { all: [{ at: 0, bytes: 'OggS' }], type: { mime: 'audio/ogg', ext: 'ogg' } },
  {
    all: [
      { at: 0, bytes: 'RIFF' },
      { at: 8, bytes: 'WAVE' },
    ],
    type: { mime: 'audio/wav', ext: 'wav' },
  },
  {
    all: [
      { at: 0, bytes: 'RIFF' },
      { at: 8, bytes: 'AVI ' },
    ],
    type: { mime: 'video/x-msvideo', ext: 'avi' },
  },
  { all: [{ at: 0, bytes: 'MThd' }], type: { mime: 'audio/midi', ext: 'mid' } },
  { all: [{ at: 0, bytes: 'wOFF' }], type: { mime: 'font/woff', ext: 'woff' } },
  { all: [{ at: 0, bytes: 'wOF2' }], type: { mime: 'font/woff2', ext: 'woff2' } },
  { all: [{ at: 0, bytes: 'OTTO' }], type: { mime: 'font/otf', ext: 'otf' } },
  { all: [{ at: 0, bytes: [0x00, 0x61, 0x73, 0x6d] }], type: { mime: 'application/wasm', ext: 'wasm' } },
  { all: [{ at: 0, bytes: [0x7f, 0x45, 0x4c, 0x46] }], type: { mime: 'application/x-elf', ext: 'elf' } },
  { all: [{ at: 0, bytes: 'SQLite format 3\0' }], type: { mime: 'application/vnd.sqlite3', ext: 'sqlite' } },
];

/** Short signatures that text could also start with: tried only when the bytes are not text. */
const WEAK_SIGNATURES: ReadonlyArray<{ all: Signature[]; type: Type }> = [
  { all: [{ at: 0, bytes: 'BM' }], type: { mime: 'image/bmp', ext: 'bmp' } },
  { all: [{ at: 0, bytes: [0x00, 0x00, 0x01, 0x00] }], type: { mime: 'image/x-icon', ext: 'ico' } },
  { all: [{ at: 0, bytes: [0x00, 0x01, 0x00, 0x00, 0x00] }], type: { mime: 'font/ttf', ext: 'ttf' } },
  { all: [{ at: 0, bytes: 'MZ' }], type: { mime: 'application/x-msdownload', ext: 'exe' } },
  { all: [{ at: 0, bytes: [0xff, 0xfb] }], type: { mime: 'audio/mpeg', ext: 'mp3' } },
  { all: [{ at: 0, bytes: [0xff, 0xf3] }], type: { mime: 'audio/mpeg', ext: 'mp3' } },
  { all: [{ at: 0, bytes: [0xff, 0xf2] }], type: { mime: 'audio/mpeg', ext: 'mp3' } },
];

/** ISO base media file format (`ftyp` box): HEIF, AVIF, MP4, QuickTime, by brand. */
const FTYP_BRANDS: ReadonlyArray<[brands: string[], type: Type]> = [
  [['avif', 'avis'], { mime: 'image/avif', ext: 'avif' }],
  [['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs'], { mime: 'image/heic', ext: 'heic' }],
  [['mif1', 'msf1'], { mime: 'image/heif', ext: 'heif' }],
  [['crx '], { mime: 'image/x-canon-cr3', ext: 'cr3' }],
  [['qt  '], { mime: 'video/quicktime', ext: 'mov' }],
  [['M4A ', 'M4B '], { mime: 'audio/mp4', ext: 'm4a' }],
  [['3gp4', '3gp5', '3gp6', '3g2a'], { mime: 'video/3gpp', ext: '3gp' }],
  [
    ['isom', 'iso2', 'iso4', 'iso5', 'iso6', 'mp41', 'mp42', 'avc1', 'dash', 'M4V ', 'mmp4', 'MSNV'],
    { mime: 'video/mp4', ext: 'mp4' },
  ],
];

const DOCUMENT_MIMES = new Set([
  'application/pdf',
  'application/postscript',
  'application/rtf',
  'application/epub+zip',
  'application/x-cfb',
]);
const ARCHIVE_MIMES = new Set([
  'application/zip',
  'application/x-tar',
  'application/gzip',
  'application/x-bzip2',
  'application/x-xz',
  'application/x-7z-compressed',
  'application/vnd.rar',
  'application/zstd',
]);

/** The asset kind a media type belongs to. */
export function kindOf(mime: string): AssetKind {
  if (mime.startsWith('image/')) return 'image';
  if (mime.startsWith('text/') || /^application\/(json|xml|x-ndjson|javascript|x-yaml|yaml)$/.test(mime)) {
    return 'text';
  }
  if (
    DOCUMENT_MIMES.has(mime) ||
    mime.startsWith('application/vnd.openxmlformats-officedocument.') ||
    mime.startsWith('application/vnd.oasis.opendocument.')
  ) {
    return 'document';
  }
  if (ARCHIVE_MIMES.has(mime)) return 'archive';
  return 'other';
}

function matches(bytes: Uint8Array, { at, bytes: expected }: Signature): boolean {
  const want = typeof expected === 'string' ? [...expected].map((c) => c.charCodeAt(0)) : expected;
  if (bytes.length < at + want.length) return false;
  return want.every((b, i) => bytes[at + i] === b);
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(
    'latin1',
    start,
    Math.min(end, bytes.length),
  );
}

function ftypType(bytes: Uint8Array): Type | undefined {
  if (bytes.length < 12 || ascii(bytes, 4, 8) !== 'ftyp') return undefined;
  const boxSize = Math.min(new DataView(bytes.buffer, bytes.byteOffset).getUint32(0), bytes.length, 256);
  const brands = [ascii(bytes, 8, 12)];
  for (let at = 16; at + 4 <= boxSize; at += 4) brands.push(ascii(bytes, at, at + 4));
  // The major brand decides first, then compatible brands (a HEIF container listing avif is AVIF).
  for (const brand of brands) {
    for (const [names, type] of FTYP_BRANDS) if (names.includes(brand)) return type;
  }
  return { mime: 'video/mp4', ext: 'mp4' };
}

/** ZIP and the formats built on it (Office Open XML, OpenDocument, EPUB), from its entry names. */
function zipType(bytes: Uint8Array): Type | undefined {
  if (!matches(bytes, { at: 0, bytes: 'PK\x03\x04' })) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // OpenDocument and EPUB store their media type, uncompressed, as the first entry "mimetype".
  const nameLength = view.getUint16(26, true);
  const extraLength = view.getUint16(28, true);
  if (ascii(bytes, 30, 30 + nameLength) === 'mimetype') {
    const start = 30 + nameLength + extraLength;
    const declared = ascii(bytes, start, start + view.getUint32(18, true)).trim();
    if (/^application\/(epub\+zip|vnd\.oasis\.opendocument\.[a-z.-]+)$/.test(declared)) {
      return { mime: declared, ext: declared === 'application/epub+zip' ? 'epub' : 'odf' };
    }
  }
  const names = ascii(bytes, 0, DETECTION_BYTES);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a ZIP local-header signature, then its entry name
  if (names.includes('[Content_Types].xml') || /PK\x03\x04[\s\S]{26}(word|xl|ppt)\//.test(names)) {
    if (names.includes('word/')) {
      return { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', ext: 'docx' };
    }
    if (names.includes('xl/')) {
      return { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', ext: 'xlsx' };
    }
    if (names.includes('ppt/')) {
      return {
        mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
        ext: 'pptx',
      };
    }
  }
  return { mime: 'application/zip', ext: 'zip' };
}

/** Text formats told apart by their content: JSON, SVG, XML, HTML, else plain text. */
function sniffText(text: string, complete: boolean): Type {
  const head = text.replace(/^\uFEFF/, '').trimStart();
  // An SVG root after the optional prolog, comments and doctype: refused later as scriptable.
  const svg =
    /^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE\s+svg[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/i;
  if (svg.test(head)) return { mime: 'image/svg+xml', ext: 'svg' };
  if (/^<\?xml\s/.test(head)) return { mime: 'application/xml', ext: 'xml' };
  if (/^(<!doctype\s+html|<html[\s>])/i.test(head)) return { mime: 'text/html', ext: 'html' };
  if (/^[[{]/.test(head)) {
    if (!complete) return { mime: 'application/json', ext: 'json' };
    try {
      JSON.parse(head);
      return { mime: 'application/json', ext: 'json' };
    } catch {
      // Not JSON after all: plain text.
    }
  }
  return { mime: 'text/plain', ext: 'txt' };
}

function withKind(type: Type): DetectedFileType {
  return { ...type, kind: kindOf(type.mime) };
}

/**
 * Detects a file's type from its leading bytes (all of them when `complete`): magic numbers first,
 * then text (JSON, SVG, XML, HTML, plain), then signatures short enough for text to begin with.
 */
export function detectFileType(bytes: Uint8Array, complete: boolean): DetectedFileType {
  if (bytes.length === 0) return { mime: 'application/x-empty', kind: 'other' };
  for (const { all, type } of SIGNATURES) {
    if (all.every((signature) => matches(bytes, signature))) {
      if (type.mime === 'image/png' && apngFrameCount(bytes) !== undefined) {
        return withKind({ mime: 'image/apng', ext: 'apng' });
      }
      return withKind(type);
    }
  }
  const boxed = ftypType(bytes) ?? zipType(bytes);
  if (boxed) return withKind(boxed);
  if (matches(bytes, { at: 0, bytes: [0x1a, 0x45, 0xdf, 0xa3] })) {
    return withKind(
      ascii(bytes, 0, 64).includes('webm')
        ? { mime: 'video/webm', ext: 'webm' }
        : { mime: 'video/x-matroska', ext: 'mkv' },
    );
  }
  const head = bytes.subarray(0, DETECTION_BYTES);
  const text = decodeText(head, complete && head.length === bytes.length);
  if (text !== null) return withKind(sniffText(text.text, complete && head.length === bytes.length));
  for (const { all, type } of WEAK_SIGNATURES) {
    if (all.every((signature) => matches(bytes, signature))) return withKind(type);
  }
  return { mime: 'application/octet-stream', kind: 'other' };
}
