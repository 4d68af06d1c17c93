import type { DocumentEmbeddingInput, Embedder, EmbeddingModel, EncodedImage } from './embedder';
import { normalize } from './embedder';
import {
  COLOR_BINS,
  colorHistogram,
  DHASH_BITS,
  differenceHash,
  hashBits,
  LAYOUT_BINS,
  layoutFeatures,
  type Raster,
  singleColorHistogram,
  TEXTURE_BINS,
  textureHistogram,
} from './image-features';
import { hashedTextFeatures } from './text-features';

export const TEXT_BINS = 128;

/** Block order and weights of the local feature vector. */
const BLOCKS = [
  { name: 'color', size: COLOR_BINS, weight: 1 },
  { name: 'texture', size: TEXTURE_BINS, weight: 0.5 },
  { name: 'layout', size: LAYOUT_BINS, weight: 1 },
  { name: 'dhash', size: DHASH_BITS, weight: 0.8 },
  { name: 'text', size: TEXT_BINS, weight: 0.6 },
] as const;
type BlockName = (typeof BLOCKS)[number]['name'];

export const LOCAL_FEATURES_MODEL: EmbeddingModel = {
  model: 'sluice-local-features-v1',
  dimension: BLOCKS.reduce((sum, block) => sum + block.size, 0),
};

/** Decodes a rendition into pixels (sharp in the indexer); any size works, about 64 x 64 is plenty. */
export type Rasterizer = (image: EncodedImage) => Promise<Raster>;

/**
 * The embedder that needs no model and no network: a 324-number vector made of a color histogram,
 * an edge-orientation histogram, an 8 x 8 luminance layout, a difference hash, and hashed words and
 * character trigrams of the text (see README for what each captures and misses). Each block is
 * scaled to unit length, weighted, and the whole vector normalized, so cosine similarity is a
 * weighted mix of the blocks' similarities.
 *
 * Pixels come from a rendition when a rasterizer is given; without one, only the manifest's
 * dominant color and perceptual hash are known (and the vector says less).
 */
export class LocalFeatureEmbedder implements Embedder {
  readonly model = LOCAL_FEATURES_MODEL.model;
  readonly dimension = LOCAL_FEATURES_MODEL.dimension;
  readonly imageContentTypes: readonly string[];

  constructor(private readonly rasterize?: Rasterizer) {
    this.imageContentTypes = rasterize ? ['image/webp', 'image/jpeg', 'image/png', 'image/avif'] : [];
  }

  async embedDocument(input: DocumentEmbeddingInput): Promise<Float32Array | null> {
    const blocks: Partial<Record<BlockName, Float32Array>> = {};
    const raster = await this.pixelsOf(input);
    if (raster) {
      blocks.color = colorHistogram(raster);
      blocks.texture = textureHistogram(raster);
      blocks.layout = layoutFeatures(raster);
      blocks.dhash = hashBits(differenceHash(raster));
    } else {
      if (input.dominantColor) blocks.color = singleColorHistogram(input.dominantColor);
      if (input.perceptualHash) blocks.dhash = hashBits(input.perceptualHash);
    }
    blocks.text = hashedTextFeatures(input.text, TEXT_BINS);
    return this.assemble(blocks);
  }

  async embedQuery(text: string): Promise<Float32Array> {
    return this.assemble({ text: hashedTextFeatures(text, TEXT_BINS) }) ?? new Float32Array(this.dimension);
  }

  private async pixelsOf(input: DocumentEmbeddingInput): Promise<Raster | null> {
    if (input.image && this.rasterize) return this.rasterize(input.image);
    return null;
  }

  private assemble(blocks: Partial<Record<BlockName, Float32Array>>): Float32Array | null {
    const out = new Float32Array(this.dimension);
    let offset = 0;
    let any = false;
    for (const { name, size, weight } of BLOCKS) {
      const block = blocks[name];
      if (block) {
        const unit = normalize(Float32Array.from(block));
        for (let i = 0; i < size; i++) {
          out[offset + i] = (unit[i] as number) * weight;
          if (unit[i] !== 0) any = true;
        }
      }
      offset += size;
    }
    return any ? normalize(out) : null;
  }
}
