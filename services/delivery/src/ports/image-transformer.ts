import type { TransformedImage, TransformSpec } from '@sluice/processor/transform';

export type { TransformedImage, TransformSpec };

/** The input could not be decoded or transformed (corrupt, over the pixel limit, timed out). */
export class UnprocessableImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnprocessableImageError';
  }
}

export interface ImageTransformer {
  /** One output from an encoded input; throws UnprocessableImageError for bad input. */
  transform(input: Buffer, spec: TransformSpec): Promise<TransformedImage>;
}
