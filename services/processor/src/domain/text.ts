import type { TextExtract } from '@sluice/contracts';

/** The manifest keeps at most this much of a text file's leading text, in UTF-8 bytes. */
export const TEXT_EXTRACT_BYTES = 64 * 1024;

export interface DecodedText {
  text: string;
  encoding: 'utf-8' | 'utf-16le' | 'utf-16be';
  /** Input bytes the text came from (an incomplete trailing character is left out). */
  bytesUsed: number;
}

// Control characters that do not occur in text: NUL..BS, SO..US (not TAB, LF, VT, FF, CR, ESC), DEL.
// biome-ignore lint/suspicious/noControlCharactersInRegex: detecting control characters is the point
const BINARY_CONTROLS = /[\u0000-\u0008\u000e-\u001a\u001c-\u001f\u007f]/;

function withoutPartialUtf8Tail(bytes: Uint8Array): Uint8Array {
  // Drop up to 3 trailing bytes of a multi-byte sequence cut off by the read window.
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    if (byte >= 0xc0) {
      const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      return needed > back ? bytes.subarray(0, bytes.length - back) : bytes;
    }
    return bytes;
  }
  return bytes;
}

/**
 * The bytes as text, or null when they are not text: UTF-8 (with or without a BOM) or UTF-16 with a
 * BOM, and no control characters that text never holds. `complete` is false when `bytes` is only the
 * file's head: a character cut off at the end is then not an error.
 */
export function decodeText(bytes: Uint8Array, complete: boolean): DecodedText | null {
  let encoding: DecodedText['encoding'] = 'utf-8';
  let body = bytes;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) encoding = 'utf-16le';
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) encoding = 'utf-16be';
  if (encoding === 'utf-8') {
    if (!complete) body = withoutPartialUtf8Tail(bytes);
  } else if (!complete && body.length % 2 === 1) {
    body = body.subarray(0, body.length - 1);
  }
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true, ignoreBOM: false }).decode(body);
  } catch {
    return null;
  }
  if (BINARY_CONTROLS.test(text)) return null;
  return { text, encoding, bytesUsed: body.length };
}

/** Cuts a string to at most `maxBytes` of UTF-8 without splitting a character. */
function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  return new TextDecoder().decode(withoutPartialUtf8Tail(bytes.subarray(0, maxBytes)));
}

/**
 * The leading text of a text file for the manifest: at most 64 KiB of UTF-8. `head` is the file's
 * first bytes (at least TEXT_EXTRACT_BYTES + 4 of them when the file is larger), `totalBytes` its
 * whole size. Null when the bytes are not text.
 */
export function textExtract(head: Uint8Array, totalBytes: number): TextExtract | null {
  const complete = head.length >= totalBytes;
  const decoded = decodeText(head, complete);
  if (!decoded) return null;
  const extract = truncateUtf8(decoded.text, TEXT_EXTRACT_BYTES);
  const truncated = extract.length < decoded.text.length || decoded.bytesUsed < totalBytes;
  return { extract, truncated, encoding: decoded.encoding };
}
