/** S3's limits for multipart uploads (UploadPartCopy included). */
export const MIN_PART_BYTES = 5 * 1024 ** 2;
export const MAX_PART_BYTES = 5 * 1024 ** 3;
export const MAX_PARTS = 10_000;
/** CopyObject copies at most 5 GiB in one request; anything larger needs UploadPartCopy. */
export const MAX_SINGLE_COPY_BYTES = 5 * 1024 ** 3;
const MIB = 1024 ** 2;

export interface PartRange {
  partNumber: number;
  /** Inclusive byte offsets, as in an HTTP Range / x-amz-copy-source-range header. */
  first: number;
  last: number;
}

/**
 * The part size for an object: the preferred size, raised (to a whole MiB) when the object would
 * otherwise need more than 10,000 parts, and kept within S3's 5 MiB to 5 GiB bounds.
 */
export function partSizeFor(objectBytes: number, preferredPartBytes: number): number {
  const needed = Math.ceil(objectBytes / MAX_PARTS / MIB) * MIB;
  const size = Math.max(preferredPartBytes, needed, MIN_PART_BYTES);
  if (size > MAX_PART_BYTES) {
    throw new RangeError(`An object of ${objectBytes} bytes is over S3's 5 TiB multipart limit`);
  }
  return size;
}

/** The byte ranges of each part, in order; every part but the last is exactly partBytes long. */
export function planParts(objectBytes: number, partBytes: number): PartRange[] {
  if (!Number.isSafeInteger(objectBytes) || objectBytes <= 0) {
    throw new RangeError(`Cannot plan parts for ${objectBytes} bytes`);
  }
  const parts: PartRange[] = [];
  for (let first = 0, partNumber = 1; first < objectBytes; first += partBytes, partNumber += 1) {
    parts.push({ partNumber, first, last: Math.min(objectBytes, first + partBytes) - 1 });
  }
  return parts;
}
