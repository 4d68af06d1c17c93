import { type BedrockRuntimeClient, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import type { DocumentEmbeddingInput, Embedder } from './embedder';
import { normalize } from './embedder';

/** Titan Multimodal Embeddings G1 takes up to 128 tokens of text: keep the most telling words. */
const MAX_TEXT_CHARS = 400;
/** Its image limits: JPEG or PNG, at most 25 MB (renditions are far smaller). */
const MAX_IMAGE_BYTES = 25 * 1024 * 1024;

export interface BedrockEmbedderOptions {
  /** Default amazon.titan-embed-image-v1. */
  modelId?: string;
  /** 256, 384 or 1024 (Titan Multimodal G1's output lengths). Default 1024. */
  dimension?: number;
}

export class EmbeddingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddingError';
  }
}

/**
 * Amazon Bedrock multimodal embeddings (Titan Multimodal Embeddings G1): image and text land in
 * one space, so a text query finds images by what they show, and "similar" means similar content,
 * not only similar pixels. A document's vector embeds its rendition and its words together.
 */
export class BedrockEmbedder implements Embedder {
  readonly model: string;
  readonly dimension: number;
  readonly imageContentTypes = ['image/jpeg', 'image/png'] as const;

  constructor(
    private readonly client: BedrockRuntimeClient,
    options: BedrockEmbedderOptions = {},
  ) {
    this.model = options.modelId ?? 'amazon.titan-embed-image-v1';
    this.dimension = options.dimension ?? 1024;
  }

  async embedDocument(input: DocumentEmbeddingInput): Promise<Float32Array | null> {
    const text = input.text.trim().slice(0, MAX_TEXT_CHARS);
    const image =
      input.image &&
      this.imageContentTypes.includes(input.image.contentType as 'image/jpeg') &&
      input.image.bytes.length <= MAX_IMAGE_BYTES
        ? input.image.bytes.toString('base64')
        : undefined;
    if (!text && !image) return null;
    return this.invoke({ ...(text ? { inputText: text } : {}), ...(image ? { inputImage: image } : {}) });
  }

  async embedQuery(text: string): Promise<Float32Array> {
    return this.invoke({ inputText: text.trim().slice(0, MAX_TEXT_CHARS) });
  }

  private async invoke(body: { inputText?: string; inputImage?: string }): Promise<Float32Array> {
    const out = await this.client.send(
      new InvokeModelCommand({
        modelId: this.model,
        contentType: 'application/json',
        accept: 'application/json',
        body: JSON.stringify({ ...body, embeddingConfig: { outputEmbeddingLength: this.dimension } }),
      }),
    );
    const parsed = JSON.parse(Buffer.from(out.body ?? new Uint8Array()).toString('utf8')) as {
      embedding?: unknown;
      message?: string | null;
    };
    const embedding = parsed.embedding;
    if (
      !Array.isArray(embedding) ||
      embedding.length !== this.dimension ||
      embedding.some((x) => typeof x !== 'number')
    ) {
      throw new EmbeddingError(
        `${this.model} answered without a ${this.dimension}-number embedding${parsed.message ? `: ${parsed.message}` : ''}`,
      );
    }
    return normalize(Float32Array.from(embedding as number[]));
  }
}
