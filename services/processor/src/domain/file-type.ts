import type { AssetKind } from '@sluice/contracts';
import { fileTypeFromBuffer } from 'file-type';
import { decodeText } from './text';

/** What a file is, judged from its bytes alone: never from its name or declared content type. */
export interface DetectedFileType {
  mime: string;
  /** Canonical extension without the dot, when the type has one. */
  ext?: string;
  kind: AssetKind;
}

/**
 * How many leading bytes detection needs for every type but a few (TIFF's first IFD can sit anywhere:
 * pass the whole file when it is at hand).
 */
export const DETECTION_BYTES = 64 * 1024;

const OCTET_STREAM: DetectedFileType = { mime: 'application/octet-stream', kind: 'other' };

/**
 * Signatures file-type does not report: a PNG or JPEG whose later structure is broken (file-type
 * validates chunks and gives up) is still a PNG or JPEG to the user, and gets a clear
 * "undecodable-image" rather than passing through as unknown bytes.
 */
const FALLBACK_SIGNATURES: ReadonlyArray<{
  parts: Array<[offset: number, bytes: number[]]>;
  type: DetectedFileType;
}> = [
  {
    parts: [[0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]]],
    type: { mime: 'image/png', ext: 'png', kind: 'image' },
  },
  { parts: [[0, [0xff, 0xd8, 0xff]]], type: { mime: 'image/jpeg', ext: 'jpg', kind: 'image' } },
  { parts: [[0, [0x47, 0x49, 0x46, 0x38]]], type: { mime: 'image/gif', ext: 'gif', kind: 'image' } },
  { parts: [[0, [0x49, 0x49, 0x2a, 0x00]]], type: { mime: 'image/tiff', ext: 'tif', kind: 'image' } },
  { parts: [[0, [0x4d, 0x4d, 0x00, 0x2a]]], type: { mime: 'image/tiff', ext: 'tif', kind: 'image' } },
  {
    parts: [
      [0, [0x52, 0x49, 0x46, 0x46]],
      [8, [0x57, 0x45, 0x42, 0x50]],
    ],
    type: { mime: 'image/webp', ext: 'webp', kind: 'image' },
  },
];

const DOCUMENT_MIMES = new Set([
  'application/pdf',
  'application/postscript',
  'application/rtf',
  'application/epub+zip',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
  'application/x-cfb',
]);
const ARCHIVE_MIMES = new Set([
  'application/zip',
  'application/x-tar',
  'application/gzip',
  'application/x-bzip2',
  'application/x-xz',
  'application/x-7z-compressed',
  'application/x-rar-compressed',
  'application/vnd.rar',
  'application/zstd',
  'application/x-lzip',
  'application/x-compress',
  'application/x-zstd',
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

function startsWith(bytes: Uint8Array, signature: number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  return signature.every((b, i) => bytes[offset + i] === b);
}

/** Text formats told apart by their content: JSON, SVG, XML, HTML, else plain text. */
function sniffText(text: string, complete: boolean): DetectedFileType {
  const head = text.replace(/^\uFEFF/, '').trimStart();
  // An SVG root after the optional prolog, comments and doctype: refused later as scriptable.
  const svg =
    /^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE\s+svg[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/i;
  if (svg.test(head)) return { mime: 'image/svg+xml', ext: 'svg', kind: 'image' };
  if (/^<\?xml\s/.test(head)) return { mime: 'application/xml', ext: 'xml', kind: 'text' };
  if (/^(<!doctype\s+html|<html[\s>])/i.test(head)) return { mime: 'text/html', ext: 'html', kind: 'text' };
  if (/^[[{]/.test(head)) {
    if (!complete) return { mime: 'application/json', ext: 'json', kind: 'text' };
    try {
      JSON.parse(head);
      return { mime: 'application/json', ext: 'json', kind: 'text' };
    } catch {
      // Not JSON after all: plain text.
    }
  }
  return { mime: 'text/plain', ext: 'txt', kind: 'text' };
}

/**
 * Detects a file's type from its leading bytes (all of them when `complete`): file-type's magic
 * numbers first (100+ binary formats), then a few fallback signatures, then text sniffing.
 */
export async function detectFileType(bytes: Uint8Array, complete: boolean): Promise<DetectedFileType> {
  if (bytes.length === 0) return { mime: 'application/x-empty', kind: 'other' };
  const found = await fileTypeFromBuffer(bytes);
  // file-type reports SVG (an XML document) as XML: look closer at anything XML or unknown.
  if (found && found.mime !== 'application/xml') {
    return { mime: found.mime, ext: found.ext, kind: kindOf(found.mime) };
  }
  for (const { parts, type } of FALLBACK_SIGNATURES) {
    if (parts.every(([offset, signature]) => startsWith(bytes, signature, offset))) return type;
  }
  const text = decodeText(bytes, complete);
  if (text !== null) return sniffText(text.text, complete);
  return OCTET_STREAM;
}
