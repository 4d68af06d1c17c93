import { HttpError } from './http-error';

/*
 * What a client may attach to an upload as S3 user metadata. S3 metadata is ASCII and at most 2 KB
 * in all, so values travel URL-encoded; keys are lowercased as S3 returns them. Uppy sends its own
 * file meta along (name, type, relativePath, often null): those are not labels and are skipped.
 */

const KEY = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const MAX_ENTRIES = 10;
const MAX_VALUE_LENGTH = 256;
/** Written by the service itself; a client cannot set them. */
const RESERVED = new Set(['original-name', 'webhook-source', 'delivery-id']);
/** Uppy's bookkeeping in file.meta, not labels. */
const UPPY_META = new Set(['name', 'type', 'relativepath', 'filename', 'filetype']);

/** x-amz-meta-* headers (without the prefix) from the client's labels; 400 for what S3 cannot take. */
export function clientMetadata(
  labels: Readonly<Record<string, unknown>> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [rawKey, value] of Object.entries(labels ?? {})) {
    const key = rawKey.toLowerCase();
    if (UPPY_META.has(key) || value === null || value === undefined) continue;
    if (typeof value === 'object') {
      throw new HttpError(
        400,
        'invalid-metadata',
        `Metadata "${rawKey}" must be a string, number or boolean`,
      );
    }
    if (!KEY.test(key) || RESERVED.has(key)) {
      throw new HttpError(
        400,
        'invalid-metadata',
        `Metadata key "${rawKey}" must be lowercase letters, digits, _ or - (at most 64) and not ${[...RESERVED].join(', ')}`,
      );
    }
    const text = String(value);
    if (text.length > MAX_VALUE_LENGTH) {
      throw new HttpError(
        400,
        'invalid-metadata',
        `Metadata "${rawKey}" is longer than ${MAX_VALUE_LENGTH} characters`,
      );
    }
    out[key] = encodeURIComponent(text);
  }
  if (Object.keys(out).length > MAX_ENTRIES) {
    throw new HttpError(400, 'invalid-metadata', `At most ${MAX_ENTRIES} metadata entries`);
  }
  return out;
}

/** The metadata every upload carries: the client's labels and its original file name. */
export function uploadMetadata(
  fileName: string,
  labels: Readonly<Record<string, unknown>> | undefined,
): Record<string, string> {
  return { ...clientMetadata(labels), 'original-name': encodeURIComponent(fileName) };
}
