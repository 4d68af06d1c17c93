/**
 * Frames of an animated PNG (its acTL chunk, which must come before the first IDAT), or undefined
 * for a still PNG. libvips decodes only the default image of an APNG: the renditions are stills.
 */
export function apngFrameCount(png: Uint8Array): number | undefined {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let offset = 8; // after the signature
  while (offset + 8 <= png.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...png.subarray(offset + 4, offset + 8));
    if (type === 'acTL') return offset + 12 <= png.length ? view.getUint32(offset + 8) : undefined;
    if (type === 'IDAT' || type === 'IEND') return undefined;
    offset += 12 + length;
  }
  return undefined;
}
