/** Which model made an index's vectors, and how long they are: recorded with every index. */
export interface EmbeddingModel {
  model: string;
  dimension: number;
}

/** An image as stored (a rendition), encoded. */
export interface EncodedImage {
  bytes: Buffer;
  contentType: string;
}

/** What a document embedding is made from; every part is optional but the text. */
export interface DocumentEmbeddingInput {
  /** File name, tags, camera and text extract, joined. */
  text: string;
  /** A rendition of the image, in one of the embedder's `imageContentTypes`. */
  image?: EncodedImage;
  /** Manifest hints, for when there is no rendition to look at. */
  perceptualHash?: string;
  dominantColor?: string;
  placeholder?: { type: string; value: string };
}

/** Turns documents and query text into vectors of one space. */
export interface Embedder extends EmbeddingModel {
  /** Rendition content types this embedder can look at, in order of preference. */
  readonly imageContentTypes: readonly string[];
  /** null when there is nothing to embed. */
  embedDocument(input: DocumentEmbeddingInput): Promise<Float32Array | null>;
  embedQuery(text: string): Promise<Float32Array>;
}

/** Cosine similarity of two vectors (0 when either is all zeros). */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** Scales a vector in place to unit length; a zero vector stays zero. Returns it. */
export function normalize(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const x of vector) sum += x * x;
  if (sum === 0) return vector;
  const scale = 1 / Math.sqrt(sum);
  for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] as number) * scale;
  return vector;
}
