/**
 * Why an upload was rejected: stable kebab-case codes, carried by asset.rejected events and
 * documented in the README.
 */
export type RejectionReason =
  | 'empty-file'
  | 'too-large'
  | 'pixel-limit'
  | 'undecodable-image'
  | 'unsupported-image-format'
  | 'unsafe-image-format'
  | 'processing-timeout'
  | 'asset-id-conflict';

/**
 * Input that can never be processed (corrupt, hostile, unsupported). It ends as an asset.rejected
 * event with this reason and the original in quarantine, never as a retry.
 */
export class AssetRejectedError extends Error {
  constructor(
    readonly reason: RejectionReason,
    message: string,
  ) {
    super(message);
    this.name = 'AssetRejectedError';
  }
}
