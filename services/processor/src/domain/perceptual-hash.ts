/** dHash input size: one column more than the hash is wide, so each bit compares two neighbours. */
export const DHASH_WIDTH = 9;
export const DHASH_HEIGHT = 8;

/**
 * 64-bit difference hash (dHash) of a 9x8 greyscale image, as 16 lowercase hex digits: bit i is set
 * when a pixel is brighter than its right-hand neighbour. Near-duplicates (resized, recompressed,
 * lightly edited) differ in few bits; compare with the Hamming distance.
 */
export function differenceHash(grey: Uint8Array): string {
  if (grey.length !== DHASH_WIDTH * DHASH_HEIGHT) {
    throw new RangeError(`dHash needs ${DHASH_WIDTH}x${DHASH_HEIGHT} grey pixels, got ${grey.length}`);
  }
  let hex = '';
  for (let row = 0; row < DHASH_HEIGHT; row++) {
    let byte = 0;
    for (let col = 0; col < DHASH_WIDTH - 1; col++) {
      const left = grey[row * DHASH_WIDTH + col] ?? 0;
      const right = grey[row * DHASH_WIDTH + col + 1] ?? 0;
      byte = (byte << 1) | (left > right ? 1 : 0);
    }
    hex += byte.toString(16).padStart(2, '0');
  }
  return hex;
}

/** Bits that differ between two dHashes: 0 for identical images, up to about 10 for near-duplicates. */
export function hammingDistance(a: string, b: string): number {
  let distance = 0;
  for (let i = 0; i < a.length; i += 8) {
    let x = (Number.parseInt(a.slice(i, i + 8), 16) ^ Number.parseInt(b.slice(i, i + 8), 16)) >>> 0;
    while (x) {
      distance += x & 1;
      x >>>= 1;
    }
  }
  return distance;
}
