/**
 * Image features that need no model: what colors an image has, how its edges run, where light and
 * dark sit, and its difference hash. They find the same picture again (resized, re-encoded,
 * slightly cropped or recolored) and pictures of similar colors and layout; they know nothing of
 * what is in the picture (a red car and a red apple look alike to them).
 */

/** Decoded pixels, 3 bytes (R, G, B) a pixel, row by row. */
export interface Raster {
  width: number;
  height: number;
  data: Uint8Array;
}

export const COLOR_BINS = 52;
export const TEXTURE_BINS = 16;
export const LAYOUT_BINS = 64;
export const DHASH_BITS = 64;

const HUES = 8;
const CHROMA_SATURATIONS = 2;
const VALUES = 3;
const GRAYS = 4;

/** The histogram bin of one sRGB color: 8 hues x 2 saturations x 3 values, or one of 4 grays. */
export function colorBin(r: number, g: number, b: number): number {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const v = max / 255;
  const s = max === 0 ? 0 : (max - min) / max;
  if (s < 0.2 || v < 0.12)
    return HUES * CHROMA_SATURATIONS * VALUES + Math.min(GRAYS - 1, Math.floor(v * GRAYS));
  let h: number;
  const d = max - min;
  if (max === r) h = ((g - b) / d + 6) % 6;
  else if (max === g) h = (b - r) / d + 2;
  else h = (r - g) / d + 4;
  const hueBin = Math.min(HUES - 1, Math.floor((h / 6) * HUES));
  const satBin = s < 0.55 ? 0 : 1;
  const valBin = Math.min(VALUES - 1, Math.floor(v * VALUES));
  return (hueBin * CHROMA_SATURATIONS + satBin) * VALUES + valBin;
}

/** Hellinger-mapped (square-rooted, unit-sum) color histogram: cosine then compares distributions. */
export function colorHistogram(raster: Raster): Float32Array {
  const out = new Float32Array(COLOR_BINS);
  const { data } = raster;
  for (let i = 0; i + 2 < data.length; i += 3) {
    const bin = colorBin(data[i] as number, data[i + 1] as number, data[i + 2] as number);
    out[bin] = (out[bin] as number) + 1;
  }
  return hellinger(out);
}

/** A histogram of one color alone, for documents known only by their dominant color. */
export function singleColorHistogram(hex: string): Float32Array {
  const out = new Float32Array(COLOR_BINS);
  const [r, g, b] = parseHexColor(hex);
  out[colorBin(r, g, b)] = 1;
  return out;
}

export function parseHexColor(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.replace(/^#/, ''), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function luminance(raster: Raster): Float32Array {
  const { width, height, data } = raster;
  const out = new Float32Array(width * height);
  for (let p = 0; p < out.length; p++) {
    out[p] =
      0.299 * (data[p * 3] as number) +
      0.587 * (data[p * 3 + 1] as number) +
      0.114 * (data[p * 3 + 2] as number);
  }
  return out;
}

/** Gradient orientations (8 bins over 180°) for weak and strong edges, magnitude-weighted. */
export function textureHistogram(raster: Raster): Float32Array {
  const { width, height } = raster;
  const gray = luminance(raster);
  const out = new Float32Array(TEXTURE_BINS);
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const at = (dx: number, dy: number) => gray[(y + dy) * width + x + dx] as number;
      const gx = at(1, -1) + 2 * at(1, 0) + at(1, 1) - at(-1, -1) - 2 * at(-1, 0) - at(-1, 1);
      const gy = at(-1, 1) + 2 * at(0, 1) + at(1, 1) - at(-1, -1) - 2 * at(0, -1) - at(1, -1);
      const magnitude = Math.hypot(gx, gy);
      if (magnitude < 24) continue;
      const angle = (Math.atan2(gy, gx) + Math.PI) % Math.PI;
      const bin = Math.min(7, Math.floor((angle / Math.PI) * 8)) + (magnitude >= 160 ? 8 : 0);
      out[bin] = (out[bin] as number) + magnitude;
    }
  }
  return hellinger(out);
}

/** Mean luminance over an n x m grid of cells (area average). */
export function gridLuminance(raster: Raster, columns: number, rows: number): Float32Array {
  const { width, height } = raster;
  const gray = luminance(raster);
  const sums = new Float32Array(columns * rows);
  const counts = new Float32Array(columns * rows);
  for (let y = 0; y < height; y++) {
    const row = Math.min(rows - 1, Math.floor((y * rows) / height));
    for (let x = 0; x < width; x++) {
      const cell = row * columns + Math.min(columns - 1, Math.floor((x * columns) / width));
      sums[cell] = (sums[cell] as number) + (gray[y * width + x] as number);
      counts[cell] = (counts[cell] as number) + 1;
    }
  }
  for (let i = 0; i < sums.length; i++)
    sums[i] = (counts[i] as number) > 0 ? (sums[i] as number) / (counts[i] as number) : 0;
  return sums;
}

/** Where light and dark sit: an 8 x 8 luminance grid, mean removed. */
export function layoutFeatures(raster: Raster): Float32Array {
  const grid = gridLuminance(raster, 8, 8);
  let mean = 0;
  for (const v of grid) mean += v;
  mean /= grid.length;
  for (let i = 0; i < grid.length; i++) grid[i] = (grid[i] as number) - mean;
  return grid;
}

/** 64-bit difference hash: is each cell of a 9 x 8 grid brighter than its right neighbour. */
export function differenceHash(raster: Raster): string {
  const grid = gridLuminance(raster, 9, 8);
  let hex = '';
  for (let row = 0; row < 8; row++) {
    let byte = 0;
    for (let col = 0; col < 8; col++) {
      const left = grid[row * 9 + col] as number;
      const right = grid[row * 9 + col + 1] as number;
      byte = (byte << 1) | (left > right ? 1 : 0);
    }
    hex += byte.toString(16).padStart(2, '0');
  }
  return hex;
}

/** A 64-bit hash as +1/-1 a bit: cosine of two such vectors is 1 - 2 x Hamming distance / 64. */
export function hashBits(hex: string): Float32Array {
  const out = new Float32Array(DHASH_BITS);
  for (let i = 0; i < 16; i++) {
    const nibble = Number.parseInt(hex[i] ?? '0', 16);
    for (let bit = 0; bit < 4; bit++) out[i * 4 + bit] = (nibble >> (3 - bit)) & 1 ? 1 : -1;
  }
  return out;
}

export function hammingDistance(a: string, b: string): number {
  let distance = 0;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    let x = Number.parseInt(a[i] ?? '0', 16) ^ Number.parseInt(b[i] ?? '0', 16);
    while (x) {
      distance += x & 1;
      x >>= 1;
    }
  }
  return distance;
}

function hellinger(histogram: Float32Array): Float32Array {
  let total = 0;
  for (const v of histogram) total += v;
  if (total === 0) return histogram;
  for (let i = 0; i < histogram.length; i++) histogram[i] = Math.sqrt((histogram[i] as number) / total);
  return histogram;
}
