import type { DetectedFileType } from './file-type';

/** What S3 and clients send when nobody declared a type: not a declaration. */
const UNDECLARED = new Set(['application/octet-stream', 'binary/octet-stream', 'application/x-empty']);
const ALIASES: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/x-png': 'image/png',
  'image/tif': 'image/tiff',
  'image/heic-sequence': 'image/heic',
  'image/heif-sequence': 'image/heif',
  'text/json': 'application/json',
  'text/xml': 'application/xml',
};
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

/** The declared Content-Type without parameters, lowercased; undefined when none was declared. */
export function normalizeDeclaredType(contentType: string | undefined): string | undefined {
  const bare = contentType?.split(';')[0]?.trim().toLowerCase();
  if (!bare || UNDECLARED.has(bare) || !MEDIA_TYPE.test(bare)) return undefined;
  return bare;
}

function isTextual(mime: string): boolean {
  return (
    mime.startsWith('text/') ||
    /^application\/([a-z.-]+\+)?(json|xml|yaml|x-yaml|x-ndjson|javascript)$/.test(mime)
  );
}

/**
 * True when the declared type contradicts the bytes. Plain text cannot be told from CSV, Markdown or
 * source code by its bytes, so any textual declaration matches text the detector calls plain.
 */
export function declaredMismatch(declared: string | undefined, detected: DetectedFileType): boolean {
  if (declared === undefined) return false;
  const canonical = ALIASES[declared] ?? declared;
  if (canonical === detected.mime) return false;
  if (detected.mime === 'image/apng' && canonical === 'image/png') return false;
  if (
    (detected.mime === 'image/heic' || detected.mime === 'image/heif') &&
    /^image\/hei[cf]$/.test(canonical)
  ) {
    return false;
  }
  if (detected.mime === 'text/plain' && isTextual(canonical)) return false;
  return true;
}
