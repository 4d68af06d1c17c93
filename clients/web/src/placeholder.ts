import { decode as decodeBlurhash } from 'blurhash';
import { thumbHashToDataURL } from 'thumbhash';

/** The manifest's placeholder (ThumbHash or BlurHash) as a data URL to show while a rendition loads. */
export function placeholderUrl(placeholder: { type: string; value: string } | undefined): string | undefined {
  if (!placeholder) return undefined;
  try {
    if (placeholder.type === 'thumbhash') {
      const bytes = Uint8Array.from(atob(placeholder.value), (c) => c.charCodeAt(0));
      return thumbHashToDataURL(bytes);
    }
    if (placeholder.type === 'blurhash') {
      const size = 32;
      const pixels = decodeBlurhash(placeholder.value, size, size);
      const canvas = document.createElement('canvas');
      canvas.width = size;
      canvas.height = size;
      const context = canvas.getContext('2d');
      if (!context) return undefined;
      const image = context.createImageData(size, size);
      image.data.set(pixels);
      context.putImageData(image, 0, 0);
      return canvas.toDataURL();
    }
  } catch {
    // A malformed placeholder only costs the preview.
  }
  return undefined;
}
